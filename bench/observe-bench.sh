#!/usr/bin/env bash
# What observing costs (issue 7): the demo gateway with per-request recording on (the default: request metrics with
# user, tool and product labels, one access log line per request) against the same gateway with it off
# (caravan.observe.requests=false), alternated off/on/off/on so that drift on the machine hits both alike:
#   1. MCP tools/call with a product argument (the seed's field) as an authenticated user: p99 at a fixed
#      1000 req/s (hey) and maximum throughput (wrk)
#   2. LLM Anthropic Messages, non-streaming, to the embedded stub provider: maximum throughput (wrk)
# Target: < 5 % throughput lost with recording on. Tracing is off in both (no OTEL_* variables).
# Needs: mvn -DskipTests package, hey and wrk (apt-get install hey wrk). Loopback only.
# usage: [JAVA_OPTS="..."] bench/observe-bench.sh [seconds per measurement, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh observe-summary.txt "${1:-15}"

CALL='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"knowledge-base_search_docs","arguments":{"query":"timeouts","product":"agentgateway"}}}'
MESSAGES='{"model":"claude-sonnet-4-6","max_tokens":64,"messages":[{"role":"user","content":"Tell me about gateways"}]}'

for round in 1 2; do
  for mode in off on; do
    recording=false; [ "$mode" = on ] && recording=true
    CARAVAN_OBSERVE_REQUESTS=$recording start_gateway "gateway-observe-$mode-$round"
    TOKEN=$(curl -s -d email=bench@solo.io "http://127.0.0.1:$ISS/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
    SID=$(session)
    EXTRA=()
    DUR=20 wrk_run "warmup-$mode-$round" "http://127.0.0.1:$GW/mcp" "$CALL" "$SID" > /dev/null
    hey_run "call-1k-$mode-$round" "http://127.0.0.1:$GW/mcp" "$CALL" "$SID" 10 100
    wrk_run "call-max-$mode-$round" "http://127.0.0.1:$GW/mcp" "$CALL" "$SID"
    EXTRA=("anthropic-version: 2023-06-01")
    DUR=20 wrk_run "warmup-llm-$mode-$round" "http://127.0.0.1:$GW/v1/messages" "$MESSAGES" "" > /dev/null
    wrk_run "messages-max-$mode-$round" "http://127.0.0.1:$GW/v1/messages" "$MESSAGES" ""
    stop_gateway
    # the switch did what it says: access log lines only when on
    lines=$(grep -c '^{"time"' "$OUT/gateway-observe-$mode-$round.log" || true)
    echo "access-log-$mode-$round lines=$lines" | tee -a "$SUMMARY"
    if { [ "$mode" = on ] && [ "$lines" -eq 0 ]; } || { [ "$mode" = off ] && [ "$lines" -ne 0 ]; }; then
      echo "recording $mode wrote $lines access log lines"; exit 1
    fi
  done
done

mean() { # $1 measurement prefix, $2 key: the mean over both rounds
  awk -v a="$(val "$1-1" "$2")" -v b="$(val "$1-2" "$2")" 'BEGIN { printf "%.2f", (a + b) / 2 }'
}
{
  echo "== targets (means of two rounds)"
  for m in call-max messages-max; do
    awk -v off="$(mean "$m-off" max_rps)" -v on="$(mean "$m-on" max_rps)" -v m="$m" \
        'BEGIN { printf "%s: off %.0f req/s, on %.0f req/s, lost %.1f %% (target < 5 %%)\n", m, off, on, (1 - on / off) * 100 }'
  done
  awk -v off="$(mean call-1k-off p99_ms)" -v on="$(mean call-1k-on p99_ms)" \
      'BEGIN { printf "call-1k p99: off %.2f ms, on %.2f ms, added %.2f ms\n", off, on, on - off }'
  awk -v off="$(mean call-1k-off p50_ms)" -v on="$(mean call-1k-on p50_ms)" \
      'BEGIN { printf "call-1k p50: off %.2f ms, on %.2f ms, added %.2f ms\n", off, on, on - off }'
} | tee -a "$SUMMARY"
echo "results in $SUMMARY"
