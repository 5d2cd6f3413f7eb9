#!/usr/bin/env bash
# server/discover of a 2026-07-28 client (issue 17) over 2 and over 10 backends against the slowest backend alone, one
# sitting. Backends: FakeMcpBackends (one JVM of its own), the first answering initialize, discover and lists after
# SLOW_MS (20 ms). Two cases through the gateway:
#   first  - a client the gateway has not seen (its clientInfo names a new client every time): the gateway initializes
#            every backend for it (in parallel) before it answers; one connection, so latency is the point;
#   kept   - the same client again: answered from the session the gateway keeps for it; at a fixed 1000 req/s.
# The slowest backend alone: its own server/discover, first case's way (one connection).
# usage: bench/mcp-discover-bench.sh [seconds per measurement, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_PORT_BASE=${BENCH_PORT_BASE:-18000}
# shellcheck source=bench/lib.sh
. bench/lib.sh discover-summary.txt "${1:-10}"
SLOW_MS=${SLOW_MS:-20}
FAKE=$((B + 101))
start_helper discover-fake dev.caravan.bench.FakeMcpBackends $FAKE 10 0 "$SLOW_MS" 20 true
V=2026-07-28
envelope() { # $1 client name
  echo "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"$V\",\"io.modelcontextprotocol/clientCapabilities\":{},\"io.modelcontextprotocol/clientInfo\":{\"name\":\"$1\",\"version\":\"1\"}}"
}
discover() { echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{$(envelope "$1")}}"; }
EXTRA=("MCP-Protocol-Version: $V" "Mcp-Method: server/discover")
one_connection() { # $1 name, $2 url, $3 body: wrk with one connection, latency percentiles in ms
  BODY="$3" HEADERS="$(IFS='|'; echo "${EXTRA[*]}")" wrk -t1 -c1 -d"${DUR}s" --latency -s bench/post.lua "$2" > "$OUT/$1.wrk"
  awk -v n="$1" '$1=="50%" {p50=$2} $1=="99%" {p99=$2} /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF}
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; return v * 1000 }
    END { printf "%s p50_ms=%.2f p99_ms=%.2f rps=%.0f non2xx=%d\n", n, ms(p50), ms(p99), rps, bad }' "$OUT/$1.wrk" \
    | tee -a "$SUMMARY"
}
backends_file() { # $1 count: a route file declaring the first $1 fakes as backends
  local f=$OUT/discover-backends-$1.camel.yaml i
  : > "$f"
  for i in $(seq 0 $(($1 - 1))); do
    printf -- '- templatedRoute:\n    routeTemplateRef: mcp-backend\n    parameters:\n      - name: name\n        value: fake%d\n      - name: url\n        value: http://127.0.0.1:%d/mcp\n' "$i" $((FAKE + i)) >> "$f"
  done
  echo "$f"
}

DUR=$DUR one_connection alone-warmup "http://127.0.0.1:$FAKE/mcp" "$(discover alone)" > /dev/null
one_connection alone "http://127.0.0.1:$FAKE/mcp" "$(discover alone)"
for n in 2 10; do
  launch_gateway "discover-gateway-$n" . "java ${JAVA_OPTS} -XX:SharedArchiveFile=target/caravan.jsa" \
    CARAVAN_DEMO_ENABLED=false \
    CAMEL_MAIN_ROUTES_INCLUDE_PATTERN="file:routes/gateway.camel.yaml,file:routes/mcp.camel.yaml,file:kamelets/*.kamelet.yaml,file:$(backends_file $n)"
  URL=http://127.0.0.1:$GW/mcp
  DUR=20 one_connection "first-$n-warmup" "$URL" "$(discover 'new-@N@')" > /dev/null
  hey_run "kept-$n-warmup" "$URL" "$(discover kept)" "" 10 100 > /dev/null
  one_connection "first-$n" "$URL" "$(discover 'next-@N@')"
  hey_run "kept-$n-1k" "$URL" "$(discover kept)" "" 10 100
  stop_gateway
done
{
  echo "== server/discover (2026-07-28 client), the first backend answering after $SLOW_MS ms"
  echo "slowest backend alone (one connection), p50 / p99: $(val alone p50_ms) / $(val alone p99_ms) ms"
  for n in 2 10; do
    echo "$n backends: a new client (one connection) $(val "first-$n" p50_ms) / $(val "first-$n" p99_ms) ms; the same client again at 1000 req/s $(val "kept-$n-1k" p50_ms) / $(val "kept-$n-1k" p99_ms) ms"
  done
} | tee -a "$SUMMARY"
