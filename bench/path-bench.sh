#!/usr/bin/env bash
# The benchmark of record for issue 16 (what one request costs, how fast the gateway starts and warms): a baseline
# revision and the working tree, one after the other in one sitting, against the same upstreams, each started with the
# java command its README gives. Upstreams run in JVMs or processes of their own: the stub LLM provider
# (StubLlmServer), an upstream that costs nothing (nginx answering a fixed Anthropic message), and cheap MCP backends
# (FakeMcpBackends). Floors: nginx proxy_pass to the same upstreams, and each upstream called directly.
# Per build:
#   - start to ready (wall and CPU), idle RSS, and the warm-up curve: LLM /v1/messages throughput in 5 s windows from
#     ready (rate, and requests per CPU second of the gateway, which a busy machine disturbs less)
#   - warm: LLM non-streaming peak (wrk) to the stub (Anthropic Messages) and to the free upstream (OpenAI Chat, the
#     openai provider pointed at it), MCP tools/call peak, and added latency at a fixed 1000 req/s (hey) against the
#     direct numbers; CPU and allocated bytes per request during the peaks
#   - recording off (caravan.observe.requests=false): a second start, warmed as long, and the same peaks, so
#     "recording costs" is on vs off
# usage: bench/path-bench.sh [baseline revision, default c151d35 (main before issue 16)] [seconds per measurement, 15]
set -euo pipefail
cd "$(dirname "$0")/.."
BASE_REV=${1:-c151d35}
export BENCH_PORT_BASE=${BENCH_PORT_BASE:-17000}
# shellcheck source=bench/lib.sh
. bench/lib.sh path-summary.txt "${2:-15}"
command -v nginx > /dev/null || { echo "needs nginx (apt-get install nginx-light)"; exit 1; }
STUB=$((B + 204)); FREE=$((B + 205)); NGINX=$((B + 80)); NGINX_FREE=$((B + 81)); FAKE=$((B + 101))
BASE_DIR=$OUT/baseline-path
build_at "$BASE_REV" "$BASE_DIR"
echo "baseline: $(git log --oneline -1 "$BASE_REV")" | tee -a "$SUMMARY"
echo "current: $(git log --oneline -1 HEAD)$(git diff --quiet HEAD -- src routes kamelets || echo ' + changes')" \
  | tee -a "$SUMMARY"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$SUMMARY"

start_helper path-stub dev.caravan.bench.StubLlmServer $STUB 20
start_helper path-fake dev.caravan.bench.FakeMcpBackends $FAKE 2 -1 0
BODY='{"model":"claude-sonnet-4-6","max_tokens":256,"messages":[{"role":"user","content":"Tell me about gateways"}]}'
CHAT='{"model":"gpt-5","messages":[{"role":"user","content":"Tell me about gateways"}]}'
CHAT_ANSWER='{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-5","choices":[{"index":0,"message":{"role":"assistant","content":"Gateways route requests."},"finish_reason":"stop"}],"usage":{"prompt_tokens":27,"completion_tokens":20,"total_tokens":47}}'
ANSWER='{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Gateways route requests."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":27,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":20}}'
CALL='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"knowledge-base_tool_0","arguments":{"query":"timeouts"}}}'
DIRECT_CALL='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"tool_0","arguments":{"query":"timeouts"}}}'
LLM_HEADERS=("x-api-key: bench" "anthropic-version: 2023-06-01")

# nginx: proxy_pass to the stub, the free upstream itself, and proxy_pass to it
mkdir -p "$OUT/path-nginx"
cat > "$OUT/path-nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
error_log stderr warn;
pid $PWD/$OUT/path-nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $PWD/$OUT/path-nginx/body;
  proxy_temp_path $PWD/$OUT/path-nginx/proxy;
  upstream stub { server 127.0.0.1:$STUB; keepalive 128; }
  upstream free { server 127.0.0.1:$FREE; keepalive 128; }
  server {
    listen 127.0.0.1:$FREE;
    location / { default_type application/json; return 200 '$ANSWER'; }
    location /v1/chat/completions { default_type application/json; return 200 '$CHAT_ANSWER'; }
  }
  server {
    listen 127.0.0.1:$NGINX;
    location / { proxy_pass http://stub; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
  server {
    listen 127.0.0.1:$NGINX_FREE;
    location / { proxy_pass http://free; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
}
CONF
nginx -p "$PWD/$OUT/path-nginx" -c "$PWD/$OUT/path-nginx/nginx.conf" > "$OUT/path-nginx.log" 2>&1 &
PIDS+=("$!")
until curl -s -o /dev/null "http://127.0.0.1:$NGINX_FREE/"; do sleep 0.1; done

# --- the floors --------------------------------------------------------------------------------------------------
EXTRA=("${LLM_HEADERS[@]}")
DUR=10 wrk_run warmup-direct "http://127.0.0.1:$STUB/v1/messages" "$BODY" "" > /dev/null
wrk_run llm-max-direct "http://127.0.0.1:$STUB/v1/messages" "$BODY" ""
wrk_run llm-max-nginx "http://127.0.0.1:$NGINX/v1/messages" "$BODY" ""
wrk_run free-max-nginx "http://127.0.0.1:$NGINX_FREE/v1/chat/completions" "$CHAT" ""
hey_run llm-1k-direct "http://127.0.0.1:$STUB/v1/messages" "$BODY" "" 10 100
hey_run llm-1k-nginx "http://127.0.0.1:$NGINX/v1/messages" "$BODY" "" 10 100
EXTRA=()
DUR=10 wrk_run warmup-mcp-direct "http://127.0.0.1:$FAKE/mcp" "$DIRECT_CALL" "" > /dev/null
wrk_run mcp-max-direct "http://127.0.0.1:$FAKE/mcp" "$DIRECT_CALL" ""
hey_run mcp-1k-direct "http://127.0.0.1:$FAKE/mcp" "$DIRECT_CALL" "" 10 100

# --- the gateway, per build ----------------------------------------------------------------------------------------
java_command() { # $1 build directory: the java command of its README's demo line, without -jar
  sed -n 's/.*package && \(java .*\) -jar target\/caravan.jar.*/\1/p' "$1/README.md" | head -1
}
launch() { # $1 build, $2 log name, then VAR=value settings: the gateway with its upstreams, started with its README's
           # java command
  local build=$1 log=$2 dir=.; shift 2
  [ "$build" = baseline ] && dir=$BASE_DIR
  launch_gateway "$log" "$dir" "$(java_command "$dir")" CARAVAN_DEMO_ENABLED=false CARAVAN_LLM_AUTH_MODE=off \
    LLM_ANTHROPIC_URL=http://127.0.0.1:$STUB LLM_OPENAI_URL=http://127.0.0.1:$FREE MCP_KNOWLEDGE_BASE_URL=http://127.0.0.1:$FAKE/mcp \
    MCP_SLACK_CONVERSATIONS_URL=http://127.0.0.1:$((FAKE + 1))/mcp CARAVAN_SECRET_ANTHROPIC_API_KEY=bench \
    CARAVAN_SECRET_OPENAI_API_KEY=bench "$@"
  echo "java-command-$build $(java_command "$dir")" >> "$SUMMARY"
}

for build in baseline current; do
  launch "$build" "path-$build"
  echo "start-$build ready_ms=$READY_MS cpu_ms_to_ready=$(( $(cpu_ticks) * 10 )) load=$(cut -d' ' -f1 /proc/loadavg)" \
    | tee -a "$SUMMARY"
  sleep 3
  echo "rss-$build idle_mb=$(rss_mb "$GPID")" | tee -a "$SUMMARY"
  EXTRA=("${LLM_HEADERS[@]}")
  rates=() per_cpu=()
  for i in $(seq 1 12); do
    c0=$(cpu_ticks)
    DUR=5 wrk_run "curve-$build-$i" "http://127.0.0.1:$GW/v1/messages" "$BODY" "" > /dev/null
    rates+=("$(val "curve-$build-$i" max_rps)")
    per_cpu+=("$(awk -v r="$(awk '/requests in/ {print $1}' "$OUT/curve-$build-$i.wrk")" -v t="$(( $(cpu_ticks) - c0 ))" \
      'BEGIN { printf "%.0f", (t > 0 ? r * 100 / t : 0) }')")
  done
  echo "curve-$build rps_per_5s=$(IFS=,; echo "${rates[*]}") req_per_cpu_s_per_5s=$(IFS=,; echo "${per_cpu[*]}")" \
    | tee -a "$SUMMARY"
  SID=$(session)
  DUR=20 wrk_run "warmup-llm-$build" "http://127.0.0.1:$GW/v1/messages" "$BODY" "" > /dev/null
  peak "llm-max-$build" "http://127.0.0.1:$GW/v1/messages" "$BODY" ""
  hey_run "llm-1k-$build" "http://127.0.0.1:$GW/v1/messages" "$BODY" "" 10 100
  EXTRA=()
  DUR=20 wrk_run "warmup-mcp-$build" "http://127.0.0.1:$GW/mcp" "$CALL" "$SID" > /dev/null
  peak "mcp-max-$build" "http://127.0.0.1:$GW/mcp" "$CALL" "$SID"
  hey_run "mcp-1k-$build" "http://127.0.0.1:$GW/mcp" "$CALL" "$SID" 10 100
  EXTRA=()
  DUR=10 wrk_run "warmup-free-$build" "http://127.0.0.1:$GW/v1/chat/completions" "$CHAT" "" > /dev/null
  peak "free-max-$build" "http://127.0.0.1:$GW/v1/chat/completions" "$CHAT" ""
  stop_gateway
  # recording off: a second start, warmed as long as the first before its peaks
  launch "$build" "path-$build-off" CARAVAN_OBSERVE_REQUESTS=false
  SID=$(session)
  EXTRA=("${LLM_HEADERS[@]}")
  DUR=80 wrk_run "warmup-off-$build" "http://127.0.0.1:$GW/v1/messages" "$BODY" "" > /dev/null
  peak "llm-max-off-$build" "http://127.0.0.1:$GW/v1/messages" "$BODY" ""
  EXTRA=()
  DUR=20 wrk_run "warmup-mcp-off-$build" "http://127.0.0.1:$GW/mcp" "$CALL" "$SID" > /dev/null
  peak "mcp-max-off-$build" "http://127.0.0.1:$GW/mcp" "$CALL" "$SID"
  stop_gateway
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f", a - b }'; }
{
  echo "== per build (targets: LLM and MCP peak >= 0.5x the floor; added p50 <= 1 ms, p99 <= 3 ms at 1000 req/s;"
  echo "   recording costs <= 5 %; ready <= 2 s; first 10 s after ready >= 0.5x warm)"
  for b in baseline current; do
    echo "-- $b"
    echo "llm peak: $(val "llm-max-$b" max_rps) req/s = $(ratio "$(val "llm-max-$b" max_rps)" "$(val llm-max-nginx max_rps)") x nginx"
    echo "llm peak, free upstream (OpenAI Chat): $(val "free-max-$b" max_rps) req/s = $(ratio "$(val "free-max-$b" max_rps)" "$(val free-max-nginx max_rps)") x nginx"
    echo "mcp peak: $(val "mcp-max-$b" max_rps) req/s = $(ratio "$(val "mcp-max-$b" max_rps)" "$(val mcp-max-direct max_rps)") x direct"
    echo "llm added at 1000 req/s: p50 $(diff_ms "$(val "llm-1k-$b" p50_ms)" "$(val llm-1k-direct p50_ms)") ms, p99 $(diff_ms "$(val "llm-1k-$b" p99_ms)" "$(val llm-1k-direct p99_ms)") ms (nginx: p50 $(diff_ms "$(val llm-1k-nginx p50_ms)" "$(val llm-1k-direct p50_ms)"), p99 $(diff_ms "$(val llm-1k-nginx p99_ms)" "$(val llm-1k-direct p99_ms)"))"
    echo "mcp added at 1000 req/s: p50 $(diff_ms "$(val "mcp-1k-$b" p50_ms)" "$(val mcp-1k-direct p50_ms)") ms, p99 $(diff_ms "$(val "mcp-1k-$b" p99_ms)" "$(val mcp-1k-direct p99_ms)") ms"
    echo "recording costs: llm $(awk -v on="$(val "llm-max-$b" max_rps)" -v off="$(val "llm-max-off-$b" max_rps)" 'BEGIN { printf "%.1f", (1 - on / off) * 100 }') %, mcp $(awk -v on="$(val "mcp-max-$b" max_rps)" -v off="$(val "mcp-max-off-$b" max_rps)" 'BEGIN { printf "%.1f", (1 - on / off) * 100 }') % of peak"
    echo "per request (llm / mcp): CPU $(val "llm-max-$b-cost" cpu_us_per_req) / $(val "mcp-max-$b-cost" cpu_us_per_req) µs, allocated $(val "llm-max-$b-cost" alloc_bytes_per_req) / $(val "mcp-max-$b-cost" alloc_bytes_per_req) bytes"
    echo "start to ready: $(val "start-$b" ready_ms) ms (CPU $(val "start-$b" cpu_ms_to_ready) ms), idle RSS $(val "rss-$b" idle_mb) MB"
    curve=$(val "curve-$b" req_per_cpu_s_per_5s)
    awk -v c="$curve" -v w="$(val "llm-max-$b-cost" cpu_us_per_req)" 'BEGIN { n = split(c, x, ","); warm = 1e6 / w
      printf "warm-up, requests per CPU second in 5 s windows: %s; first 10 s = %.2f x warm (%.0f)\n", c, (x[1] + x[2]) / 2 / warm, warm }'
  done
} | tee -a "$SUMMARY"
echo "results in $SUMMARY"
