#!/usr/bin/env bash
# Start and warm-up of one gateway command: time from process start to ready (/observe/health/ready UP), resident
# memory idle, then LLM /v1/messages throughput (wrk, 64 connections) in consecutive 5 s windows from the moment of
# ready. Backends (StubLlmServer, FakeMcpBackends) run in JVMs of their own; the gateway is started as
# "$JAVA $JAVA_OPTS -jar target/caravan.jar".
# The JIT's own CPU per request is printed per window too (bench/thread-cpu.sh).
# usage: [JAVA=..] [JAVA_OPTS=..] bench/warmup.sh name [windows, default 12]
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_PORT_BASE=${BENCH_PORT_BASE:-17000}
NAME=$1; WINDOWS=${2:-12}
# shellcheck source=bench/lib.sh
. bench/lib.sh "warmup-$NAME.txt" 5
JAVA=${JAVA:-java}
STUB=$((B + 204)); FAKE=$((B + 101))
start_helper "warmup-$NAME-stub" dev.caravan.bench.StubLlmServer $STUB 20
start_helper "warmup-$NAME-fake" dev.caravan.bench.FakeMcpBackends $FAKE 2 -1 0
BODY='{"model":"claude-sonnet-4-6","max_tokens":256,"messages":[{"role":"user","content":"Tell me about gateways"}]}'
launch_gateway "warmup-$NAME-gateway" . "$JAVA ${JAVA_OPTS}" CARAVAN_DEMO_ENABLED=false CARAVAN_LLM_AUTH_MODE=off \
  LLM_ANTHROPIC_URL=http://127.0.0.1:$STUB MCP_KNOWLEDGE_BASE_URL=http://127.0.0.1:$FAKE/mcp \
  MCP_SLACK_CONVERSATIONS_URL=http://127.0.0.1:$((FAKE + 1))/mcp
# the CPU the process used to get ready says more than the wall time on a busy machine
echo "$NAME ready_ms=$READY_MS cpu_ms_to_ready=$(( $(cpu_ticks) * 10 )) \
load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$SUMMARY"
EXTRA=("x-api-key: bench" "anthropic-version: 2023-06-01")
PER_CPU=(); JIT=()
for i in $(seq 1 "$WINDOWS"); do
  c0=$(cpu_ticks); j0=$(bench/thread-cpu.sh "$GPID" | sed 's/jit=\([0-9]*\).*/\1/')
  wrk_run "$NAME-window-$i" "http://127.0.0.1:$GW/v1/messages" "$BODY" "" > /dev/null
  # requests per CPU second of the gateway (JIT and GC included): on a machine shared with other work this, not the
  # rate, compares windows and runs
  PER_CPU+=("$(awk -v r="$(awk '/requests in/ {print $1}' "$OUT/$NAME-window-$i.wrk")" -v t="$(( $(cpu_ticks) - c0 ))" \
    'BEGIN { printf "%.0f", (t > 0 ? r * 100 / t : 0) }')")
  # CPU of the JIT compiler threads per request in the window, in microseconds: how much compiling is left
  JIT+=("$(awk -v r="$(awk '/requests in/ {print $1}' "$OUT/$NAME-window-$i.wrk")" \
    -v t="$(( $(bench/thread-cpu.sh "$GPID" | sed 's/jit=\([0-9]*\).*/\1/') - j0 ))" 'BEGIN { printf "%.0f", (r > 0 ? t * 10000 / r : 0) }')")
  [ "$i" = 1 ] && rss1=$(rss_mb "$GPID")
done
sleep 3
echo "$NAME rss_after_first_window_mb=$rss1 rss_after_load_mb=$(rss_mb "$GPID")" | tee -a "$SUMMARY"
printf '%s rps_per_5s:' "$NAME" | tee -a "$SUMMARY"
for i in $(seq 1 "$WINDOWS"); do printf ' %s' "$(val "$NAME-window-$i" max_rps)"; done | tee -a "$SUMMARY"
printf '\n%s req_per_cpu_s_per_5s: %s\n' "$NAME" "${PER_CPU[*]}" | tee -a "$SUMMARY"
echo "$NAME jit_cpu_us_per_req_per_5s: ${JIT[*]}" | tee -a "$SUMMARY"
echo "$NAME load_at_end=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$SUMMARY"
stop_gateway
