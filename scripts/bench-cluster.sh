#!/usr/bin/env bash
# Studio-scale benchmark (issue #22): in one run, on loopback,
# - one node on SQLite, then the cluster (three nodes when the binary has `serve --node-url`,
#   else one; COLDSET_CLUSTER_NODES overrides) on a PostgreSQL primary with a synchronous
#   standby (pg_basebackup, synchronous_standby_names): 64 clients over 20 productions, each
#   command one `add_person` with an Idempotency-Key, as fast as answers come: events/s,
#   p50 and p99 (first try to answer, retries included);
# - under the same clients (paced), failover times: SIGKILL of a random node -> every
#   production written again (a try sent after the kill answered), and SIGKILL of the
#   primary -> `pg_ctl promote` of the standby -> every production written again; a new
#   standby is built after each promotion. Every acknowledged event is checked in the logs
#   and `coldset verify` runs at the end.
# The harness is the cluster tests' (crates/coldset/tests/e2e/cluster.rs, `cluster_bench`,
# an ignored test), so the benchmark and the chaos test start the same servers the same way.
# It prints two Markdown tables (docs/benchmarks.md, "Studio scale").
#
# Usage: ./scripts/bench-cluster.sh [steady seconds, default 20] [node kills, default 5]
#        [database failovers, default 3]
# Builds the `dist` profile (thin LTO: what is installed); BENCH_PROFILE=release for fat LTO.
# Installs PostgreSQL's server programs if missing (scripts/ensure-postgres.sh). Writes
# nothing outside temporary directories (kept, with the logs, if the run fails).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/ensure-postgres.sh >/dev/null
profile="${BENCH_PROFILE:-dist}"
export COLDSET_BENCH_SECONDS="${1:-20}"
export COLDSET_BENCH_NODE_KILLS="${2:-5}"
export COLDSET_BENCH_DB_FAILOVERS="${3:-3}"
# The nodes log warnings only: a failover's refused requests would otherwise fill the disk.
export COLDSET_CLUSTER_LOG="${COLDSET_CLUSTER_LOG:-warn}"
echo "bench-cluster: profile $profile, $(nproc) cores, $COLDSET_BENCH_SECONDS s steady runs," \
    "$COLDSET_BENCH_NODE_KILLS node kills, $COLDSET_BENCH_DB_FAILOVERS database failovers"
cargo test --profile "$profile" -q -p coldset --test cli -- --ignored --exact cluster::cluster_bench --nocapture \
    --test-threads 1
