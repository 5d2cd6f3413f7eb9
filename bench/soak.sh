#!/usr/bin/env bash
# Soak (issue 15): mixed MCP and streaming LLM load at a fixed rate for a long time (default one hour), faults
# sprinkled in: clients that hang up mid-stream, hostile requests and forged JSON-RPC answers (SoakLoad), and upstream
# faults (SoakFaults: resets, cut events, hangs before the head, 503, 429, garbage, oversized answers) from a fault
# proxy in front of the OpenAI provider and one in front of the slack-conversations backend.
# Reports RSS and open descriptors over time with their slopes, access log lines against requests sent, usage
# recorded for every LLM request, upstream calls left in flight, and whether every provider answers afterwards.
# usage: bench/soak.sh [minutes, default 60] [requests per second, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_PORT_BASE=${BENCH_PORT_BASE:-15000}
# shellcheck source=bench/lib.sh
. bench/lib.sh soak-summary.txt
MINUTES=${1:-60}; RATE=${2:-20}
STUB=$((B + 204)); LLM_PROXY=$((B + 205)); MCP_PROXY=$((B + 206))
ACCESS="$OUT/soak-access.log"
: > "$ACCESS"

start_helper soak-stub dev.caravan.bench.StubLlmServer $STUB 5

# one fault every 5 s, on the OpenAI provider's way or the slack-conversations backend's
start_helper soak-faults dev.caravan.bench.SoakFaults $STUB $LLM_PROXY $SL $MCP_PROXY 5

CARAVAN_ACCESS_LOG_FILE="$ACCESS" CARAVAN_LLM_AUTH_MODE=off MCP_SLACK_CONVERSATIONS_URL=http://127.0.0.1:$MCP_PROXY/mcp \
LLM_ANTHROPIC_URL=http://127.0.0.1:$STUB LLM_OPENAI_URL=http://127.0.0.1:$LLM_PROXY LLM_VERTEX_URL=http://127.0.0.1:$STUB \
CARAVAN_LLM_GOOGLE_METADATA_URL=http://127.0.0.1:$STUB/computeMetadata/v1/instance/service-accounts/default/token \
  start_gateway soak-gateway
echo "soak: $MINUTES min at $RATE req/s, gateway pid $GPID" | tee -a "$SUMMARY"
java -cp "$CP" dev.caravan.bench.SoakLoad $GW $MG "$GPID" "$ACCESS" $((MINUTES * 60)) "$RATE" "$OUT/soak-results.txt" \
  | tee "$OUT/soak-samples.txt"
cat "$OUT/soak-results.txt" >> "$SUMMARY"
stop_gateway
