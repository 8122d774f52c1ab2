#!/usr/bin/env bash
# Import benchmark (issue #18 item 3): 10,000 firearm rows in one CSV, through the real
# pages over HTTP on loopback, as the demo's armorer.
# - preview: the upload, reading, checking every row against the production, and the page
#   listing every row (target ≤ 2 s); commit: "Record all", checked again and recorded in
#   one batch (target ≤ 3 s); both timed by curl, end to end;
# - the server's peak memory (VmHWM of /proc/PID/status) before and after (target ≤ 64 MB);
# - SIGKILL during the commit, at several delays: afterwards the production holds either
#   all 10,000 rows of that file or none, and `coldset verify` passes.
# Builds the `dist` profile (thin LTO: what is installed); BENCH_PROFILE=release for fat LTO.
# BENCH_NO_BUILD=1 uses the binary already built.
# Usage: ./scripts/bench-import.sh [rows, default 10000] [kill rounds, default 8]
# Writes nothing outside a temporary directory. Needs curl.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-10000}"
rounds="${2:-8}"
profile="${BENCH_PROFILE:-dist}"
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --profile "$profile" -q -p coldset
bin="${CARGO_TARGET_DIR:-target}/$profile/coldset"
dir=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
port=18400
base="http://127.0.0.1:$port"
prod=dead-river

serve() { # starts the demo server on $dir/d (seeding it the first time)
    "$bin" demo --data "$dir/d" --listen 127.0.0.1:$port >"$dir/serve.log" 2>&1 &
    pid=$!
    until curl -sf "$base/healthz" >/dev/null && [ -s "$dir/d/demo-logins.txt" ]; do sleep 0.05; done
}
sign_in() { # sets $cookie and $csrf for the demo armorer
    local password answer
    password=$(awk '$1=="maria" && $2=="/" {print $3; exit}' "$dir/d/demo-logins.txt")
    answer=$(curl -s -D "$dir/headers" -H 'Content-Type: application/json' \
        -d "{\"name\":\"maria\",\"password\":\"$password\"}" "$base/api/v1/login")
    cookie=$(grep -i '^set-cookie:' "$dir/headers" | head -1 | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/')
    csrf=$(echo "$answer" | sed -E 's/.*"csrf_token":"([^"]*)".*/\1/')
}
firearms() { # firearms in the production
    curl -s -H "Cookie: $cookie" "$base/api/v1/productions/$prod" | sed -E 's/.*"firearms":([0-9]+).*/\1/'
}
make_csv() { # make_csv PREFIX FILE: $rows firearm rows with serials PREFIX-000001...
    {
        echo "kind,make,model,serial,calibre,condition,acquired_from,acquired_from_licence,acquired_from_document"
        awk -v n="$rows" -v p="$1" 'BEGIN { for (i = 1; i <= n; i++)
            printf "%s,Uberti,1873 Cattleman,%s-%06d,.45 Colt,good,Stembridge Gun Rentals,RH-221,INV-%d\n",
                (i % 2 ? "replica" : "real_firing"), p, i, i }'
    } >"$2"
}
preview() { # preview FILE: uploads it; sets $token, and $t to the time taken
    t=$(curl -s -o "$dir/preview.html" -w '%{time_total}' -H "Cookie: $cookie" \
        -F "csrf=$csrf" -F kind=firearms -F "file=@$1;type=text/csv" "$base/p/$prod/import")
    token=$(grep -o 'name="token" value="[0-9a-f]*"' "$dir/preview.html" | sed -E 's/.*value="([^"]*)"/\1/' || true)
}
hwm() { grep -E '^VmHWM' "/proc/$pid/status" | awk '{print $2}'; }
rss() { grep -E '^VmRSS' "/proc/$pid/status" | awk '{print $2}'; }

serve
sign_in
make_csv BENCH "$dir/rows.csv"
echo "file: $rows rows, $(stat -c %s "$dir/rows.csv") bytes; server before: VmRSS $(rss) kB, VmHWM $(hwm) kB"
before=$(firearms)
preview "$dir/rows.csv"
summary=$(grep -o 'data-ready="[0-9]*" data-to-fix="[0-9]*"' "$dir/preview.html")
echo "preview: ${t} s ($summary, page $(stat -c %s "$dir/preview.html") bytes); VmHWM $(hwm) kB"
[ -n "$token" ] || { echo "the preview offers no Record all"; exit 1; }
t=$(curl -s -o "$dir/commit.html" -w '%{time_total}' -H "Cookie: $cookie" \
    --data-urlencode "csrf=$csrf" --data-urlencode "token=$token" "$base/p/$prod/import/commit")
after=$(firearms)
echo "commit: ${t} s ($(grep -o '[0-9]* events ([0-9]* to [0-9]*)' "$dir/commit.html")); firearms $before -> $after; VmRSS $(rss) kB, VmHWM $(hwm) kB"
[ "$after" -eq $((before + rows)) ] || { echo "expected $((before + rows)) firearms"; exit 1; }

# SIGKILL during the commit: each round a new file of $rows rows, killed after a delay
# spread over the commit's duration; then all rows or none, and verify passes.
for round in $(seq 1 "$rounds"); do
    make_csv "KILL$round" "$dir/kill.csv"
    preview "$dir/kill.csv"
    [ -n "$token" ] || { echo "round $round: no Record all"; exit 1; }
    before=$(firearms)
    # Spread over the first 0.8 s: the commit measured above takes about 0.6 s.
    delay=$(awk -v r="$round" -v n="$rounds" 'BEGIN { printf "%.2f", 0.05 + (r - 1) * 0.8 / n }')
    curl -s -o /dev/null -H "Cookie: $cookie" --data-urlencode "csrf=$csrf" --data-urlencode "token=$token" \
        "$base/p/$prod/import/commit" &
    curl_pid=$!
    sleep "$delay"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    wait "$curl_pid" 2>/dev/null || true
    pid=""
    verify=$("$bin" verify --data "$dir/d" >"$dir/verify.log" 2>&1 && echo passes || echo FAILS)
    serve
    sign_in
    now=$(firearms)
    [ "$round" -gt 1 ] || echo "restarted holding $now firearms (no import in flight): VmRSS $(rss) kB"
    case $((now - before)) in
        0) held="none" ;;
        "$rows") held="all" ;;
        *) held="PARTIAL ($((now - before)))" ;;
    esac
    echo "kill round $round: SIGKILL ${delay} s into the commit: $held of the $rows rows recorded; coldset verify $verify"
    [ "$verify" = passes ] || { cat "$dir/verify.log"; exit 1; }
    case $held in all | none) ;; *) exit 1 ;; esac
done
