#!/usr/bin/env bash
# HTTP benchmark of a release build on loopback (issue: accounts and the JSON API):
# - ready time (spawn to the first healthy answer) and idle RSS of `coldset serve`;
# - the gate query endpoint against trivial endpoints of the same server (/healthz, and
#   /api/v1/me, which checks the token as the gate does), with wrk at 64 connections, then
#   at 8 connections. The server keeps a gate answer for up to a second while nothing is
#   recorded (crates/coldset-web/src/gate_memo.rs), so the repeated question measures that;
#   a second gate run spells the question differently each time (scripts/gate-fresh.lua) and
#   so measures a fresh evaluation of every request.
#
# This machine's cores are shared by wrk and the server, and its speed drifts from minute to
# minute, so the endpoints are measured in interleaved rounds (healthz, me, gate, healthz...)
# and the ratio is of the requests summed over the rounds; p99s are the median round's.
# Each figure is taken in two setups:
# - shared: server and wrk both on every core (as on a laptop that runs everything);
# - separated: the server on the last core, wrk on the others (the server sizes its worker
#   pool to the cores it is given), so wrk's threads do not take turns with the server's on
#   one core, which is what the tail latency of the shared setup mostly measures.
#
#
# Two references put the 8-connection latencies in proportion to this machine:
# - nginx, serving the gate's answer (the same bytes) as a static file, with the same wrk on
#   the same cores: what any server's round trip costs here (the floor);
# - the same endpoints paced at one request per millisecond per connection (wrk's delay
#   hook; 8,000 requests/s in all, about a tenth of capacity): the latency of a question
#   that does not queue behind seven others.
#
# Usage: ./scripts/bench-api.sh [seconds per run, default 5] [rounds, default 3]
# Installs wrk and nginx-light from Debian's packages if missing. Prints plain lines; writes
# nothing outside a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-5}"
rounds="${2:-3}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light; }
# BENCH_PROFILE=dist measures the thin-LTO build; BENCH_NO_BUILD=1 the binary already built.
profile="${BENCH_PROFILE:-release}"
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --profile "$profile" -q -p coldset
bin="${CARGO_TARGET_DIR:-target}/$profile/coldset"
dir=$(mktemp -d)
pid=
nginx_pid=
trap 'kill "$pid" $nginx_pid 2>/dev/null || true; rm -rf "$dir"' EXIT
port=18200
"$bin" demo --data "$dir/d" --listen 127.0.0.1:$port >"$dir/demo.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.1; done
kill "$pid"; wait "$pid" 2>/dev/null || true

cores=$(nproc)
last=$((cores - 1))
start_server() { # [taskset cpu list]
    local t0
    t0=$(date +%s%N)
    if [ -n "${1:-}" ]; then
        taskset -c "$1" "$bin" serve --data "$dir/d" --listen 127.0.0.1:$port >"$dir/serve.log" 2>&1 &
    else
        "$bin" serve --data "$dir/d" --listen 127.0.0.1:$port >"$dir/serve.log" 2>&1 &
    fi
    pid=$!
    until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.005; done
    ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}
stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

# The reference server: nginx with one worker per core it is given (as coldset sizes its
# pool), serving $dir/www.
nginx_port=18201
start_nginx() { # taskset cpu list, workers
    mkdir -p "$dir/nginx"
    cat >"$dir/nginx/nginx.conf" <<CONF
worker_processes $2;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/nginx;
    server { listen 127.0.0.1:$nginx_port; root $dir/www; }
}
CONF
    taskset -c "$1" nginx -c "$dir/nginx/nginx.conf" &
    nginx_pid=$!
    local tries=0
    until curl -sf "http://127.0.0.1:$nginx_port/gate.json" >/dev/null; do
        tries=$((tries + 1))
        if [ "$tries" -gt 200 ]; then echo "nginx does not serve $dir/www/gate.json:"; cat "$dir/nginx/error.log"; exit 1; fi
        sleep 0.05
    done
}
stop_nginx() { kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=; }
echo 'function delay() return 1 end' >"$dir/paced.lua"

# Ready time of an already-seeded directory (what a restart costs), then idle memory.
start_server
echo "ready: ${ready_ms} ms from spawn to the first healthy answer"
sleep 2
echo "idle $(grep -E '^VmRSS' /proc/$pid/status | tr -s ' ')"
token=$("$bin" token create --data "$dir/d" --account admin)
auth="Authorization: Bearer $token"
base="http://127.0.0.1:$port"
gate="$base/api/v1/productions/dead-river/gate/hand-off?firearm=fa-1&to=p-5&scene=sc-1"
echo "gate answer: $(curl -s -H "$auth" "$gate" | wc -c) bytes (a refusal naming 9 rules of the 23 checked)"
mkdir -p "$dir/www"
curl -s -H "$auth" "$gate" >"$dir/www/gate.json"
# nginx's workers run as an unprivileged user: let them reach the file (only that).
chmod a+x "$dir"
chmod a+rx "$dir/www"
chmod a+r "$dir/www/gate.json"

# One wrk run; appends "requests p50_us p99_us" to $dir/<name>.
run() { # name connections threads cpu-list url [wrk script]
    local out
    out=$(taskset -c "$4" wrk -t"$3" -c"$2" -d"${secs}s" --latency -H "$auth" ${6:+-s "$6"} "$5")
    if echo "$out" | grep -q "Non-2xx"; then echo "$1: some answers were not 200:"; echo "$out"; exit 1; fi
    echo "$out" | awk '
        function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
        /requests in/ { n = $1 } $1 == "50%" { p50 = us($2) } $1 == "99%" { p99 = us($2) }
        END { print n, p50, p99 }' >>"$dir/$1"
}
# Sums requests and takes the median round's p50 and p99 of one series.
summary() { # name
    sort -k3 -n "$dir/$1" | awk -v secs="$secs" '{ n += $1; p50[NR] = $2; p99[NR] = $3 }
        END { m = int((NR + 1) / 2); printf "%d %.0f %d %d", n, n / (NR * secs), p50[m], p99[m] }'
}
measure() { # setup wrk-cpus wrk-threads
    local setup=$1 cpus=$2 threads=$3
    rm -f "$dir"/"$setup"-*
    for _ in $(seq "$rounds"); do
        run "$setup-healthz-64" 64 "$threads" "$cpus" "$base/healthz"
        run "$setup-me-64" 64 "$threads" "$cpus" "$base/api/v1/me"
        run "$setup-gate-64" 64 "$threads" "$cpus" "$gate"
        run "$setup-fresh-64" 64 "$threads" "$cpus" "$gate" scripts/gate-fresh.lua
        run "$setup-healthz-8" 8 "$threads" "$cpus" "$base/healthz"
        run "$setup-gate-8" 8 "$threads" "$cpus" "$gate"
        run "$setup-nginx-8" 8 "$threads" "$cpus" "http://127.0.0.1:$nginx_port/gate.json"
        run "$setup-paced-healthz-8" 8 "$threads" "$cpus" "$base/healthz" "$dir/paced.lua"
        run "$setup-paced-gate-8" 8 "$threads" "$cpus" "$gate" "$dir/paced.lua"
        run "$setup-paced-nginx-8" 8 "$threads" "$cpus" "http://127.0.0.1:$nginx_port/gate.json" "$dir/paced.lua"
    done
    local h m g f
    read -r h hr _ hp99 <<<"$(summary "$setup-healthz-64")"
    read -r m mr _ mp99 <<<"$(summary "$setup-me-64")"
    read -r g gr _ gp99 <<<"$(summary "$setup-gate-64")"
    read -r f fr _ fp99 <<<"$(summary "$setup-fresh-64")"
    read -r _ h8r h8p50 h8p99 <<<"$(summary "$setup-healthz-8")"
    read -r _ g8r g8p50 g8p99 <<<"$(summary "$setup-gate-8")"
    read -r _ n8r n8p50 n8p99 <<<"$(summary "$setup-nginx-8")"
    read -r _ _ ph8p50 ph8p99 <<<"$(summary "$setup-paced-healthz-8")"
    read -r _ _ pg8p50 pg8p99 <<<"$(summary "$setup-paced-gate-8")"
    read -r _ _ pn8p50 pn8p99 <<<"$(summary "$setup-paced-nginx-8")"
    echo "[$setup] 64 connections, $rounds rounds of ${secs}s:"
    echo "  /healthz      $hr requests/s, p99 ${hp99} us"
    echo "  /api/v1/me    $mr requests/s, p99 ${mp99} us"
    echo "  gate query    $gr requests/s, p99 ${gp99} us"
    echo "  gate query, evaluated afresh every time (each request spelled differently):" \
        "$fr requests/s, p99 ${fp99} us, $((f * 100 / h))% of /healthz"
    echo "  gate/healthz: throughput $((g * 100 / h))%, p99 $(awk -v a="$gp99" -v b="$hp99" 'BEGIN { printf "%.2f", a / b }')x;" \
        "gate/me: throughput $((g * 100 / m))%, p99 $(awk -v a="$gp99" -v b="$mp99" 'BEGIN { printf "%.2f", a / b }')x"
    echo "[$setup] 8 connections:"
    echo "  /healthz      $h8r requests/s, p50 ${h8p50} us, p99 ${h8p99} us"
    echo "  gate query    $g8r requests/s, p50 ${g8p50} us, p99 ${g8p99} us"
    echo "  reference: nginx serving the gate's answer as a file: $n8r requests/s, p50 ${n8p50} us, p99 ${n8p99} us"
    echo "[$setup] 8 connections paced at one request per millisecond each (p50 / p99):"
    echo "  /healthz ${ph8p50} / ${ph8p99} us; gate query ${pg8p50} / ${pg8p99} us; nginx ${pn8p50} / ${pn8p99} us"
}

start_nginx "0-$last" "$cores"
measure shared "0-$last" 2
echo "after load $(grep -E '^VmRSS' /proc/$pid/status | tr -s ' ')"
stop_server
stop_nginx
if [ "$cores" -ge 2 ]; then
    start_server "$last"
    start_nginx "$last" 1
    measure separated "0-$((last - 1))" 1
    stop_server
    stop_nginx
fi
