#!/usr/bin/env bash
# MCP gateway benchmarks (issue 3). Every number is measured against a baseline in the same run:
#   1. tools/call through the gateway vs straight to the same backend: latency at a fixed 1000 req/s (hey) and
#      maximum throughput (wrk).
#   2. tools/list merged over 2 and 10 backends, one of them slow, vs that slowest backend alone.
#   3. Time from process start to the first 200, and resident memory idle and after load.
#   4. (issue 4) new sessions per second on initialize over two backends; sealing/opening a session id.
# Needs: mvn -DskipTests package (jar and test classes), hey and wrk (apt-get install hey wrk). Loopback only.
# usage: [JAVA_OPTS="..."] bench/mcp-bench.sh [seconds per measurement, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."

FAKE=14000; SLOW_MS=50
# shellcheck source=bench/lib.sh
. bench/lib.sh summary.txt "${1:-15}"


# --- 1. tools/call, gateway vs direct -------------------------------------------------------------------------
start_gateway gateway-demo
echo "time_to_first_200_ms=$TTF_MS" | tee -a "$SUMMARY"
sleep 5
echo "idle_rss_mb=$(rss_mb "$GPID")" | tee -a "$SUMMARY"
SID=$(session)
CALL='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"knowledge-base_search_docs","arguments":{"query":"timeouts"}}}'
DIRECT='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_docs","arguments":{"query":"timeouts"}}}'
# the JIT needs a while at full load before numbers settle
DUR=20 wrk_run warmup-gateway "http://127.0.0.1:$GW/mcp" "$CALL" "$SID" > /dev/null
DUR=10 wrk_run warmup-direct "http://127.0.0.1:$KB/mcp" "$DIRECT" "" > /dev/null
hey_run call-1k-direct "http://127.0.0.1:$KB/mcp" "$DIRECT" "" 10 100
hey_run call-1k-gateway "http://127.0.0.1:$GW/mcp" "$CALL" "$SID" 10 100
wrk_run call-max-direct "http://127.0.0.1:$KB/mcp" "$DIRECT" ""
wrk_run call-max-gateway "http://127.0.0.1:$GW/mcp" "$CALL" "$SID"
echo "loaded_rss_mb=$(rss_mb "$GPID")" | tee -a "$SUMMARY"

# --- 1b. initialize: new sessions per second over the two demo backends vs one backend alone -----------------
hey_run init-direct-one-backend "http://127.0.0.1:$SL/mcp" "$INIT" "" 16 0
hey_run init-gateway-two-backends "http://127.0.0.1:$GW/mcp" "$INIT" "" 16 0
stop_gateway

# --- 1c. sealing and opening a session id (a loop in the JVM, no HTTP) --------------------------------------------
java -cp "$CP" dev.caravan.mcp.SessionSealBench | tee -a "$SUMMARY"

# --- 2. tools/list fan-out with one slow backend --------------------------------------------------------------
java -cp "$CP" dev.caravan.bench.FakeMcpBackends $FAKE 10 0 $SLOW_MS \
  > "$OUT/fake-backends.log" 2>&1 &
PIDS+=("$!")
until curl -s -o /dev/null "http://127.0.0.1:$((FAKE + 9))/mcp" -d '{}'; do sleep 0.05; done
LIST='{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
hey_run list-slowest-alone "http://127.0.0.1:$FAKE/mcp" "$LIST" "" 4 25
for n in 2 10; do
  dir="$OUT/routes-$n"; rm -rf "$dir"; mkdir -p "$dir"
  for i in $(seq 0 $((n - 1))); do
    cat >> "$dir/backends.camel.yaml" <<EOF
- templatedRoute:
    routeTemplateRef: mcp-backend
    parameters:
      - name: name
        value: bench-$i
      - name: url
        value: http://127.0.0.1:$((FAKE + i))/mcp
EOF
  done
  GATEWAY_JAR=target/caravan.jar \
  CAMEL_MAIN_ROUTES_INCLUDE_PATTERN="file:routes/gateway.camel.yaml,file:routes/mcp.camel.yaml,file:kamelets/*.kamelet.yaml,file:$dir/*.camel.yaml" \
    start_gateway "gateway-fanout-$n"
  SID=$(session)
  DUR=5 hey_run "warmup-list-$n" "http://127.0.0.1:$GW/mcp" "$LIST" "$SID" 4 25 > /dev/null
  hey_run "list-merged-$n-backends" "http://127.0.0.1:$GW/mcp" "$LIST" "$SID" 4 25
  stop_gateway
done
# --- ratios against the baselines measured above --------------------------------------------------------------
{
  echo "== targets"
  awk -v g="$(val call-1k-gateway p50_ms)" -v d="$(val call-1k-direct p50_ms)" 'BEGIN { printf "tools/call added p50 at 1k req/s: %.2f ms\n", g - d }'
  awk -v g="$(val call-1k-gateway p99_ms)" -v d="$(val call-1k-direct p99_ms)" 'BEGIN { printf "tools/call added p99 at 1k req/s: %.2f ms (target < 1 ms)\n", g - d }'
  awk -v g="$(val call-max-gateway max_rps)" -v d="$(val call-max-direct max_rps)" 'BEGIN { printf "tools/call max throughput gateway/direct: %.2f (target >= 0.5)\n", g / d }'
  for n in 2 10; do
    awk -v n="$n" -v g50="$(val "list-merged-$n-backends" p50_ms)" -v s50="$(val list-slowest-alone p50_ms)" \
        -v g99="$(val "list-merged-$n-backends" p99_ms)" -v s99="$(val list-slowest-alone p99_ms)" \
        'BEGIN { printf "tools/list over %d backends minus slowest alone: p50 %+.2f ms, p99 %+.2f ms (target <= 2 ms)\n", n, g50 - s50, g99 - s99 }'
  done
} | tee -a "$SUMMARY"
echo "results in $OUT/summary.txt"
