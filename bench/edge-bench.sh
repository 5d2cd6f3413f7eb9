#!/usr/bin/env bash
# What the hardened edge (issue 15) costs on the request path: the same measurements on a baseline revision and on
# the working tree, one after the other in one run, against the same stub provider. The baseline is built from git
# into target/bench/baseline (a detached worktree). Per build: the gateway's maximum throughput (wrk, 64 connections)
# and latency at a fixed 500 req/s (hey) for a non-streaming Anthropic message and an MCP tools/call, after a warm-up.
# usage: bench/edge-bench.sh [baseline revision, default 3003560 (before issue 15)] [seconds per measurement, 15]
set -euo pipefail
cd "$(dirname "$0")/.."
BASE_REV=${1:-3003560}
export BENCH_PORT_BASE=${BENCH_PORT_BASE:-16000}
# shellcheck source=bench/lib.sh
. bench/lib.sh edge-summary.txt "${2:-15}"
STUB=$((B + 204))
BASE_DIR=$OUT/baseline
build_at "$BASE_REV" "$BASE_DIR"
echo "baseline: $(git log --oneline -1 "$BASE_REV")" | tee -a "$SUMMARY"
echo "current: $(git log --oneline -1 HEAD)$(git diff --quiet HEAD -- src routes kamelets || echo ' + changes')" \
  | tee -a "$SUMMARY"

start_helper edge-stub dev.caravan.bench.StubLlmServer $STUB 20

BODY='{"model":"claude-sonnet-4-6","max_tokens":256,"messages":[{"role":"user","content":"Tell me about gateways"}]}'
CALL='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"knowledge-base_search_docs","arguments":{"query":"timeouts"}}}'
# ORDER="current baseline" measures the working tree first, to see what the order itself does
for build in ${ORDER:-baseline current}; do
  dir=.; [ "$build" = baseline ] && dir=$BASE_DIR
  # the demo: its own jar since issue 16, inside caravan.jar before
  jar=target/caravan-demo.jar; [ -f "$dir/$jar" ] || jar=target/caravan.jar
  LAUNCH_JAR=$jar launch_gateway "edge-$build" "$dir" "java ${JAVA_OPTS}" CARAVAN_LLM_AUTH_MODE=off \
    LLM_ANTHROPIC_URL=http://127.0.0.1:$STUB
  SID=$(session)
  EXTRA=("x-api-key: bench" "anthropic-version: 2023-06-01")
  DUR=30 wrk_run "warmup-llm-$build" "http://127.0.0.1:$GW/v1/messages" "$BODY" "" > /dev/null
  DUR=30 wrk_run "warmup-mcp-$build" "http://127.0.0.1:$GW/mcp" "$CALL" "$SID" > /dev/null
  hey_run "llm-500-$build" "http://127.0.0.1:$GW/v1/messages" "$BODY" "" 10 50
  wrk_run "llm-max-$build" "http://127.0.0.1:$GW/v1/messages" "$BODY" ""
  EXTRA=()
  hey_run "mcp-500-$build" "http://127.0.0.1:$GW/mcp" "$CALL" "$SID" 10 50
  wrk_run "mcp-max-$build" "http://127.0.0.1:$GW/mcp" "$CALL" "$SID"
  stop_gateway
done
{
  echo "== current against baseline"
  for api in llm mcp; do
    awk -v c="$(val "$api-max-current" max_rps)" -v b="$(val "$api-max-baseline" max_rps)" -v a="$api" \
        'BEGIN { printf "%s max throughput: %.2f x\n", a, c / b }'
    awk -v c="$(val "$api-500-current" p50_ms)" -v b="$(val "$api-500-baseline" p50_ms)" \
        -v c99="$(val "$api-500-current" p99_ms)" -v b99="$(val "$api-500-baseline" p99_ms)" -v a="$api" \
        'BEGIN { printf "%s at 500 req/s: p50 %+.2f ms, p99 %+.2f ms\n", a, c - b, c99 - b99 }'
  done
} | tee -a "$SUMMARY"
echo "results in $SUMMARY"
