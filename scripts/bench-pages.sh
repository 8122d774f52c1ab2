#!/usr/bin/env bash
# Page benchmark of a release build on loopback (issue: the web application):
# - a production with 200 firearms and 100,000 events, built through the real write path
#   by `coldset bench gate` (reused if the directory already holds it), with every firearm
#   taken out of the safe so the live board is full (200 rows);
# - for each main page: the bytes transferred (the target is under 150 KB) and the render
#   latency seen by one connection with wrk (p50/p99; the target is p99 under 20 ms).
# Usage: ./scripts/bench-pages.sh [seconds per page, default 5]. Installs wrk from Debian's
# packages if missing. Prints plain lines; writes nothing outside a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-5}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p coldset
bin="${CARGO_TARGET_DIR:-target}/release/coldset"
dir=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
"$bin" bench gate --data "$dir/d" --firearms 200 --performers 50 --events 100000 --samples 10 --out 200 >"$dir/build.log"
head -1 "$dir/build.log"
token=$("$bin" token create --data "$dir/d" --account bench | tail -1)
port=18210
"$bin" serve --data "$dir/d" --listen 127.0.0.1:$port >"$dir/serve.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
base="http://127.0.0.1:$port"
for page in /p/gate-bench /p/gate-bench/board /p/gate-bench/firearms/fa-1 /p/gate-bench/firearms/fa-200 \
            /p/gate-bench/day /p/gate-bench/today /p/gate-bench/scenes/sc-1 /p/gate-bench/ammunition \
            /p/gate-bench/oversight "/p/gate-bench/audit?seq=50000" /p/gate-bench/labels \
            /p/gate-bench/scan /p/gate-bench/report /login; do
    bytes=$(curl -s -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $token" "$base$page")
    out=$(wrk -t1 -c1 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$base$page")
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    echo "$page: $bytes bytes, 1 connection: p50 $p50, p99 $p99, $rps pages/s"
done
echo "server $(grep -E '^VmRSS' /proc/$pid/status | tr -s ' ')"
