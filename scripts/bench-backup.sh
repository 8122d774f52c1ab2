#!/usr/bin/env bash
# Backup benchmark (issue: deploy and operate): a 1,000,000-event database backed up with
# `coldset backup` while `coldset serve` answers reads; the backup's time, and the API's
# p99 during the backup against its p99 without it, in the same run.
#
# Builds the `dist` profile (what is installed; thin LTO). The database is made by
# `coldset bench append` (64 writers); the reads are the production's summary endpoint
# with an administrator's token, with wrk at 8 connections.
#
# Usage: ./scripts/bench-backup.sh [events, default 1000000] [seconds per run, default 20]
# Installs wrk from Debian's packages if missing. Writes nothing outside a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-1000000}"
secs="${2:-20}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --profile dist -q -p coldset
bin="${CARGO_TARGET_DIR:-target}/dist/coldset"
dir=$(mktemp -d)
pid=
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir" "$dir.keys"' EXIT
t0=$(date +%s%N)
"$bin" bench append --data "$dir/d" --writers 64 --events "$events" --no-baseline 2>&1 | tail -1
t1=$(date +%s%N)
echo "made the database: $events events in $(( (t1 - t0) / 1000000 )) ms; $(du -h "$dir/d/coldset.db" | cut -f1)"
port=18300
"$bin" serve --data "$dir/d" --listen 127.0.0.1:$port >"$dir/serve.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.1; done
token=$("$bin" token create --data "$dir/d" --account bench)
url="http://127.0.0.1:$port/api/v1/productions/bench"
p99() { # wrk output -> p99 line
    grep -E '^\s+99%' | awk '{print $2}'
}
echo "reads without a backup (${secs} s, 8 connections):"
without=$(wrk -t2 -c8 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$url")
echo "$without" | grep -E 'Requests/sec|99%'
echo "reads during a backup:"
wrk -t2 -c8 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$url" >"$dir/during.txt" &
wrk_pid=$!
sleep 1
b0=$(date +%s%N)
"$bin" backup --data "$dir/d" --out "$dir/backup.tar" | head -1
b1=$(date +%s%N)
wait "$wrk_pid"
grep -E 'Requests/sec|99%' "$dir/during.txt"
echo "backup: $(( (b1 - b0) / 1000000 )) ms for $(du -h "$dir/backup.tar" | cut -f1)"
echo "p99 without: $(echo "$without" | p99); p99 during: $(p99 <"$dir/during.txt")"
