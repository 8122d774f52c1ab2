#!/usr/bin/env bash
# Records benchmark (issue #21, docs/records.md), figures in docs/benchmarks.md:
# - the daily log of a day with 200 firearms out and 5,000 events, as CSV (target ≤ 50 ms;
#   the PDF, target ≤ 300 ms, is measured by `bench::records_pdf` once its renderer is in);
# - the weapon and ammunition registers over a log of 1,000,000 custody events, streamed
#   from the store as `coldset report` reads it (targets ≥ 50,000 events/s, peak memory
#   ≤ 64 MB: the process's VmHWM, printed after each);
# - `coldset verify --record` of a 10,000-row daily log against an export bundle (≤ 2 s).
# The logs are built through the real write path (`coldset bench records --build N`: the
# armorer opens the safe, takes every firearm out, puts each back, closes the safe, again
# and again; the benchmark production's zone is UTC, so the day is today's UTC date).
# Builds the `dist` profile (thin LTO: what is installed); BENCH_PROFILE=release for fat LTO.
# BENCH_NO_BUILD=1 uses the binary already built.
# Usage: ./scripts/bench-records.sh [events of the large log, default 1000000]
# Writes nothing outside a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
big="${1:-1000000}"
profile="${BENCH_PROFILE:-dist}"
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --profile "$profile" -q -p coldset
bin="${CARGO_TARGET_DIR:-target}/$profile/coldset"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
prod=gate-bench

echo "== the daily log: 200 firearms, 5,000 events"
"$bin" bench records --data "$dir/day" --firearms 200 --build 5000
"$bin" bench records --data "$dir/day" --record daily-log --samples 20

echo "== verify --record: a daily log of 10,000 rows or more"
"$bin" bench records --data "$dir/ten" --firearms 200 --build 10600
day=$(date -u +%F)
"$bin" report daily-log --data "$dir/ten" --production $prod --day "$day" --out "$dir/ten.csv"
"$bin" export --data "$dir/ten" --production $prod --out "$dir/ten.bundle"
for i in 1 2 3 4 5; do
    /usr/bin/env time -f "verify --record: %e s wall, %M KB peak" \
        "$bin" verify --record "$dir/ten.csv" --key "$(cat "$dir/ten/ledger.pub")" --bundle "$dir/ten.bundle"
done

echo "== the registers over $big events"
"$bin" bench records --data "$dir/big" --firearms 200 --build "$big"
for kind in weapon-register ammunition-register; do
    # One process per register, so each peak memory is its own.
    "$bin" bench records --data "$dir/big" --record $kind --samples 3
done
