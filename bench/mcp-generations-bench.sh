#!/usr/bin/env bash
# MCP's two generations through the gateway (issue 17), one sitting: a tools/call of a 2025-11-25 client (gateway
# session id) against the same call of a 2026-07-28 client (no session: its envelope and headers, and the session
# the gateway keeps for it), alternated twice after a warm-up; peak (wrk, 64 connections) with CPU and allocation per
# request, and latency at a fixed 1000 req/s (hey). Also server/discover at 1000 req/s. Backends: FakeMcpBackends
# (a cheap MCP server in a JVM of its own), so the numbers are the gateway's.
# usage: bench/mcp-generations-bench.sh [seconds per measurement, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_PORT_BASE=${BENCH_PORT_BASE:-17000}
# shellcheck source=bench/lib.sh
. bench/lib.sh generations-summary.txt "${1:-10}"
FAKE=$((B + 101))
start_helper generations-fake dev.caravan.bench.FakeMcpBackends $FAKE 2 -1 0
launch_gateway generations-gateway . "java ${JAVA_OPTS} -XX:SharedArchiveFile=target/caravan.jsa" \
  CARAVAN_DEMO_ENABLED=false MCP_KNOWLEDGE_BASE_URL=http://127.0.0.1:$FAKE/mcp \
  MCP_SLACK_CONVERSATIONS_URL=http://127.0.0.1:$((FAKE + 1))/mcp
SID=$(session)
URL=http://127.0.0.1:$GW/mcp
V=2026-07-28
ENVELOPE="\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"$V\",\"io.modelcontextprotocol/clientCapabilities\":{},\"io.modelcontextprotocol/clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}"
TOOL=knowledge-base_tool_0
CALL="{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"$TOOL\",\"arguments\":{\"query\":\"timeouts\"}}}"
MODERN_CALL="{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{$ENVELOPE,\"name\":\"$TOOL\",\"arguments\":{\"query\":\"timeouts\"}}}"
DISCOVER="{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{$ENVELOPE}}"
MODERN_HEADERS=("MCP-Protocol-Version: $V" "Mcp-Method: tools/call" "Mcp-Name: $TOOL")

# $1 a lib.sh runner (wrk_run, peak, hey_run), $2 the measurement's name, then the runner's further arguments
session_call() { local run=$1 name=$2; shift 2; EXTRA=(); "$run" "$name" "$URL" "$CALL" "$SID" "$@"; }
modern_call() { local run=$1 name=$2; shift 2; EXTRA=("${MODERN_HEADERS[@]}"); "$run" "$name" "$URL" "$MODERN_CALL" "" "$@"; }
DUR=20 session_call wrk_run warmup-session > /dev/null
DUR=20 modern_call wrk_run warmup-modern > /dev/null
for round in 1 2; do
  session_call peak "session-max-$round"
  modern_call peak "modern-max-$round"
done
session_call hey_run session-1k 10 100
modern_call hey_run modern-1k 10 100
EXTRA=("MCP-Protocol-Version: $V" "Mcp-Method: server/discover")
hey_run discover-1k "$URL" "$DISCOVER" "" 10 100
stop_gateway
{
  echo "== 2026-07-28 (sessionless) against 2025-11-25 (session) tools/call"
  for round in 1 2; do
    awk -v m="$(val "modern-max-$round" max_rps)" -v s="$(val "session-max-$round" max_rps)" -v r="$round" \
      'BEGIN { printf "round %d peak: session %d, sessionless %d req/s (%.2fx)\n", r, s, m, m / s }'
    echo "round $round per request: CPU $(val "session-max-$round-cost" cpu_us_per_req) / $(val "modern-max-$round-cost" cpu_us_per_req) µs, allocated $(val "session-max-$round-cost" alloc_bytes_per_req) / $(val "modern-max-$round-cost" alloc_bytes_per_req) bytes"
  done
  echo "at 1000 req/s, p50 / p99: session $(val session-1k p50_ms) / $(val session-1k p99_ms) ms, sessionless $(val modern-1k p50_ms) / $(val modern-1k p99_ms) ms"
  echo "server/discover at 1000 req/s, p50 / p99: $(val discover-1k p50_ms) / $(val discover-1k p99_ms) ms"
} | tee -a "$SUMMARY"
