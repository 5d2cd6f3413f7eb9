#!/usr/bin/env bash
# Where the request path spends CPU and allocation: the gateway under wrk load with a JFR recording (settings=profile)
# per workload, and the process CPU time and allocated bytes per request. Workloads: a non-streaming Anthropic message
# (llm) and an MCP tools/call (mcp), each against a backend in a JVM of its own (StubLlmServer, FakeMcpBackends), so
# the gateway process holds only the gateway. Prints jfr's hot-methods and allocation-by-site views per workload.
# usage: [JAVA_OPTS=...] [JAVA=...] bench/profile.sh [seconds of load per workload, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_PORT_BASE=${BENCH_PORT_BASE:-17000}
# shellcheck source=bench/lib.sh
. bench/lib.sh profile-summary.txt "${1:-20}"
JAVA=${JAVA:-java}
JFR_BIN=${JFR_BIN:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr} # its views read recordings of 17 too
STUB=$((B + 204)); FAKE=$((B + 101))
start_helper profile-stub dev.caravan.bench.StubLlmServer $STUB 20
start_helper profile-fake dev.caravan.bench.FakeMcpBackends $FAKE 2 -1 0

launch_gateway profile-gateway . "$JAVA ${JAVA_OPTS}" CARAVAN_DEMO_ENABLED=false CARAVAN_LLM_AUTH_MODE=off \
  LLM_ANTHROPIC_URL=http://127.0.0.1:$STUB MCP_KNOWLEDGE_BASE_URL=http://127.0.0.1:$FAKE/mcp \
  MCP_SLACK_CONVERSATIONS_URL=http://127.0.0.1:$((FAKE + 1))/mcp CARAVAN_SECRET_ANTHROPIC_API_KEY=bench \
  CARAVAN_SECRET_OPENAI_API_KEY=bench
SID=$(session)
BODY='{"model":"claude-sonnet-4-6","max_tokens":256,"messages":[{"role":"user","content":"Tell me about gateways"}]}'
CALL='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"knowledge-base_tool_0","arguments":{"query":"timeouts"}}}'

load() { # $1 name, $2 url, $3 body, $4 session
  if [ "$1" = llm ]; then EXTRA=("x-api-key: bench" "anthropic-version: 2023-06-01"); else EXTRA=(); fi
  wrk_run "$1" "$2" "$3" "$4" > /dev/null
}
for w in llm mcp; do
  url=http://127.0.0.1:$GW/v1/messages body=$BODY sid=""
  [ "$w" = mcp ] && url=http://127.0.0.1:$GW/mcp body=$CALL sid=$SID
  DUR=${WARMUP:-45} load "warmup-$w" "$url" "$body" "$sid"
  jcmd "$GPID" JFR.start name="$w" settings=profile > /dev/null
  c0=$(bench/thread-cpu.sh "$GPID"); a0=$(allocated)
  load "profile-$w" "$url" "$body" "$sid"
  c1=$(bench/thread-cpu.sh "$GPID"); a1=$(allocated)
  jcmd "$GPID" JFR.stop name="$w" filename="$PWD/$OUT/profile-$w.jfr" > /dev/null
  reqs=$(awk '/requests in/ {print $1}' "$OUT/profile-$w.wrk")
  # CPU per request in microseconds (ticks are 10 ms), split into the JIT compiler threads, GC and the rest
  cpu=$(paste -d' ' <(tr ' ' '\n' <<< "$c0") <(tr ' ' '\n' <<< "$c1") | awk -v r="$reqs" \
    '{ split($1, a, "="); split($2, b, "="); printf "cpu_us_per_req_%s=%d ", a[1], (b[2] - a[2]) * 10000 / r }')
  echo "$w rps=$(val "profile-$w" max_rps) requests=$reqs ${cpu}alloc_bytes_per_req=$(( (a1 - a0) / reqs )) \
load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" | tee -a "$SUMMARY"
  "$JFR_BIN" view --width 200 hot-methods "$OUT/profile-$w.jfr" > "$OUT/profile-$w-hot.txt" 2>&1 || true
  "$JFR_BIN" view --width 200 allocation-by-site "$OUT/profile-$w.jfr" > "$OUT/profile-$w-alloc.txt" 2>&1 || true
done
stop_gateway
echo "results in $SUMMARY, recordings in $OUT/profile-*.jfr"
