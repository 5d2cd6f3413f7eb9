#!/usr/bin/env bash
# Authentication benchmarks (issue 5). Every number is measured against a baseline in the same run:
#   1. JWT check per request with warm keys: a token seen for the first time and one already verified (JVM loop).
#   2. tools/call through one gateway (demo config: auth optional) without a token vs with a token (RS256 from the
#      demo issuer, checked and the access rule applied): latency at a fixed 1000 req/s (hey), maximum throughput (wrk).
# Needs: mvn -DskipTests package (jar and test classes), hey and wrk (apt-get install hey wrk). Loopback only.
# usage: [JAVA_OPTS="..."] bench/auth-bench.sh [seconds per measurement, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh auth-summary.txt "${1:-15}"

# --- 1. the JWT check alone -----------------------------------------------------------------------------------
# shellcheck disable=SC2086
java ${JAVA_OPTS} -cp "$CP" dev.caravan.auth.JwtVerifyBench 4000 \
  2>/dev/null | grep '^jwt_' | tee -a "$SUMMARY"

# --- 2. the same gateway and call, anonymous vs with a token --------------------------------------------------------
start_gateway gateway-auth
TOKEN=$(curl -s -d email=bench@solo.io "http://127.0.0.1:$ISS/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
[ "${#TOKEN}" -gt 100 ] || { echo "no token from the demo issuer: $TOKEN"; exit 1; }
SID_TOKEN=$(session)
SAVED_TOKEN=$TOKEN; TOKEN=
SID_ANON=$(session)
CALL='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"knowledge-base_search_docs","arguments":{"query":"timeouts"}}}'
URL="http://127.0.0.1:$GW/mcp"
DUR=20 wrk_run warmup-anonymous "$URL" "$CALL" "$SID_ANON" > /dev/null
TOKEN=$SAVED_TOKEN DUR=20 wrk_run warmup-token "$URL" "$CALL" "$SID_TOKEN" > /dev/null
hey_run call-1k-anonymous "$URL" "$CALL" "$SID_ANON" 10 100
TOKEN=$SAVED_TOKEN hey_run call-1k-token "$URL" "$CALL" "$SID_TOKEN" 10 100
wrk_run call-max-anonymous "$URL" "$CALL" "$SID_ANON"
TOKEN=$SAVED_TOKEN wrk_run call-max-token "$URL" "$CALL" "$SID_TOKEN"
stop_gateway

{
  echo "== targets"
  grep -o 'jwt_known_token_p99_us=[0-9.]*' "$SUMMARY" | awk -F= '{ printf "JWT check, known token, p99: %s us (target < 50 us)\n", $2 }'
  grep -o 'jwt_new_token_p99_us=[0-9.]*' "$SUMMARY" | awk -F= '{ printf "JWT check, new token (RS256 signature), p99: %s us\n", $2 }'
  awk -v t="$(val call-1k-token p50_ms)" -v a="$(val call-1k-anonymous p50_ms)" 'BEGIN { printf "tools/call at 1k req/s, added by auth, p50: %+.2f ms\n", t - a }'
  awk -v t="$(val call-1k-token p99_ms)" -v a="$(val call-1k-anonymous p99_ms)" 'BEGIN { printf "tools/call at 1k req/s, added by auth, p99: %+.2f ms\n", t - a }'
  awk -v t="$(val call-max-token max_rps)" -v a="$(val call-max-anonymous max_rps)" 'BEGIN { printf "tools/call max throughput with/without token: %.2f\n", t / a }'
} | tee -a "$SUMMARY"
echo "results in $SUMMARY"
