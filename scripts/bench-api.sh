#!/usr/bin/env bash
# HTTP benchmark of a release build on loopback (issue: accounts and the JSON API):
# - ready time (spawn to the first healthy answer) and idle RSS of `coldset serve`;
# - the gate query endpoint against trivial endpoints of the same server, side by side,
#   with wrk at 64 connections, then the gate at 8 connections.
# Usage: ./scripts/bench-api.sh [seconds per run, default 10]. Installs wrk from Debian's
# packages if missing. Prints plain lines; writes nothing outside a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p coldset
bin="${CARGO_TARGET_DIR:-target}/release/coldset"
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
port=18200
"$bin" demo --data "$dir/d" --listen 127.0.0.1:$port >"$dir/demo.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.1; done
kill "$pid"; wait "$pid" 2>/dev/null || true
# Ready time of an already-seeded directory (what a restart costs).
start=$(date +%s%N)
"$bin" serve --data "$dir/d" --listen 127.0.0.1:$port >"$dir/serve.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.005; done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "ready: ${ready_ms} ms from spawn to the first healthy answer"
sleep 2
echo "idle $(grep -E '^VmRSS' /proc/$pid/status | tr -s ' ')"
token=$("$bin" token create --data "$dir/d" --account admin)
auth="Authorization: Bearer $token"
gate="http://127.0.0.1:$port/api/v1/productions/dead-river/gate/hand-off?firearm=fa-1&to=p-5&scene=sc-1"
run() { # name connections url [header]
    local out
    if [ -n "${4:-}" ]; then out=$(wrk -t2 -c"$2" -d"${secs}s" --latency -H "$4" "$3"); else out=$(wrk -t2 -c"$2" -d"${secs}s" --latency "$3"); fi
    local rps p50 p99
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    echo "$1, $2 connections: $rps requests/s, p50 $p50, p99 $p99"
}
run "trivial /healthz" 64 "http://127.0.0.1:$port/healthz"
run "trivial /api/v1/me (token checked)" 64 "http://127.0.0.1:$port/api/v1/me" "$auth"
run "gate query" 64 "$gate" "$auth"
run "gate query" 8 "$gate" "$auth"
echo "after load $(grep -E '^VmRSS' /proc/$pid/status | tr -s ' ')"
