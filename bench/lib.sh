# Shared by the bench scripts: setup, ports, the gateway's start and stop, and load runs whose results go to $SUMMARY.
# Source it from the project directory as `. bench/lib.sh <summary name> [seconds per measurement]`: it sets DUR
# (default 15), JAVA_OPTS (the flags the README recommends; G1 was measured too, see BENCHMARKS.md), OUT and SUMMARY,
# builds the jars and test classes when they are missing, and starts the summary with the machine. start_gateway runs
# the demo (target/caravan-demo.jar: the gateway and its sample servers), or GATEWAY_JAR when set (target/caravan.jar:
# the product alone, its providers and backends pointed elsewhere by the script). TOKEN, when set, is
# sent as "Authorization: Bearer $TOKEN" by session, hey_run and wrk_run; EXTRA (an array of "Name: value") adds
# headers to hey_run and wrk_run.
DUR=${2:-15}
JAVA_OPTS=${JAVA_OPTS:-"-XX:+UseSerialGC -Xmx512m"}
OUT=target/bench
SUMMARY=$OUT/$1
mkdir -p "$OUT"
[ -f target/caravan-demo.jar ] && [ -d target/test-classes/dev/caravan/bench ] || mvn -q -DskipTests package
# BENCH_PORT_BASE moves every port, so two benchmarks (or a benchmark and a test's gateway) can run side by side
B=${BENCH_PORT_BASE:-13000}
GW=$B; MG=$((B + 876)); KB=$((B + 101)); SL=$((B + 102)); ISS=$((B + 103))
export CARAVAN_HTTP_PORT=$GW CARAVAN_MANAGEMENT_PORT=$MG \
       CARAVAN_DEMO_KNOWLEDGE_BASE_PORT=$KB CARAVAN_DEMO_SLACK_CONVERSATIONS_PORT=$SL CARAVAN_DEMO_ISSUER_PORT=$ISS \
       CARAVAN_DEMO_LLM_PORT=$((B + 104)) \
       MCP_KNOWLEDGE_BASE_URL=http://127.0.0.1:$KB/mcp MCP_SLACK_CONVERSATIONS_URL=http://127.0.0.1:$SL/mcp \
       CAMEL_MAIN_ROUTES_RELOAD_ENABLED=false
ACCEPT="Accept: application/json, text/event-stream"
INIT='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}'
PIDS=()
EXTRA=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

auth_header() { [ -n "${TOKEN:-}" ] && printf 'Authorization: Bearer %s' "$TOKEN" || printf 'X-No-Auth: 1'; }

session() { # prints the gateway session id after initialize + notifications/initialized
  local sid
  sid=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -H "$ACCEPT" -H "$(auth_header)" -d "$INIT" \
          "http://127.0.0.1:$GW/mcp" | awk 'tolower($1)=="mcp-session-id:" {print $2}' | tr -d '\r')
  curl -s -o /dev/null -H 'Content-Type: application/json' -H "$ACCEPT" -H "$(auth_header)" -H "Mcp-Session-Id: $sid" \
       -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "http://127.0.0.1:$GW/mcp"
  echo "$sid"
}

start_gateway() { # $1 log name; sets GPID and TTF_MS (process start to the first answer on initialize: 200, or 401
                  # when a token is required)
  local t0 code; t0=$(date +%s%N)
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of JVM flags
  java ${JAVA_OPTS} -jar "${GATEWAY_JAR:-target/caravan-demo.jar}" > "$OUT/$1.log" 2>&1 &
  GPID=$!; PIDS+=("$GPID")
  until code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H "$ACCEPT" -d "$INIT" \
                 "http://127.0.0.1:$GW/mcp" 2>/dev/null) && { [ "$code" = 200 ] || [ "$code" = 401 ]; }; do
    kill -0 "$GPID" || { echo "gateway died, see $OUT/$1.log"; exit 1; }
    sleep 0.02
  done
  TTF_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

CP="target/test-classes:target/classes:target/lib/*:target/demo-lib/*"
start_helper() { # $1 log name, then a main class of the test classes and its arguments: started in a JVM of its own,
                 # waited for until it prints "listening"
  local log=$OUT/$1.log; shift
  java -cp "$CP" "$@" > "$log" 2>&1 &
  PIDS+=("$!")
  until grep -q listening "$log" 2>/dev/null; do
    kill -0 "${PIDS[-1]}" 2>/dev/null || { echo "$1 did not start, see $log"; exit 1; }
    sleep 0.1
  done
}

launch_gateway() { # $1 log name, $2 directory of a build, $3 java command (java and its flags), then VAR=value
                   # settings: starts "$3 -jar ${LAUNCH_JAR:-target/caravan.jar}" in $2 and waits until it is ready; sets GPID and
                   # READY_MS (process start to /observe/health/ready UP)
  local log=$1 dir=$2 cmd=$3 t0; shift 3
  t0=$(date +%s%N)
  # shellcheck disable=SC2086 # cmd is the java command with its flags
  (cd "$dir" && exec env "$@" $cmd -jar "${LAUNCH_JAR:-target/caravan.jar}") > "$OUT/$log.log" 2>&1 &
  GPID=$!; PIDS+=("$GPID")
  until curl -sf -o /dev/null "http://127.0.0.1:$MG/observe/health/ready"; do
    kill -0 "$GPID" || { echo "gateway died, see $OUT/$log.log"; exit 1; }
    sleep 0.02
  done
  READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

build_at() { # $1 revision, $2 directory: a detached worktree of the revision there, built; kept between runs
  if [ "$(git -C "$2" rev-parse HEAD 2>/dev/null)" != "$(git rev-parse "$1")" ] || [ ! -f "$2/target/caravan.jar" ]; then
    git worktree remove --force "$2" 2>/dev/null || rm -rf "$2"
    git worktree add -q --detach "$2" "$1"
    (cd "$2" && mvn -q -DskipTests -Dimage.skip package)
  fi
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$GPID/stat"; } # CPU the gateway used so far, in 1/100 s
allocated() { # bytes the gateway's JVM allocated so far (Micrometer's count, taken at each GC)
  curl -s "http://127.0.0.1:$MG/observe/metrics" | awk '/^jvm_gc_memory_allocated_bytes_total/ {printf "%.0f", $2}'
}

stop_gateway() { kill "$GPID"; wait "$GPID" 2>/dev/null || true; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

hey_run() { # $1 name, $2 url, $3 body, $4 session or "", $5 workers, $6 qps per worker
  local hdr=(-H "$ACCEPT" -H "$(auth_header)") h; [ -n "$4" ] && hdr+=(-H "Mcp-Session-Id: $4")
  for h in "${EXTRA[@]}"; do hdr+=(-H "$h"); done
  hey -z "${DUR}s" -c "$5" -q "$6" -m POST -T application/json "${hdr[@]}" -d "$3" "$2" > "$OUT/$1.hey"
  local p50 p99 rps ok
  p50=$(awk '/ 50% in/ {printf "%.2f", $3*1000}' "$OUT/$1.hey")
  p99=$(awk '/ 99% in/ {printf "%.2f", $3*1000}' "$OUT/$1.hey")
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$OUT/$1.hey")
  ok=$(awk '$1=="[200]" {print $2}' "$OUT/$1.hey")
  echo "$1 p50_ms=$p50 p99_ms=$p99 rps=$rps ok=${ok:-0}" | tee -a "$SUMMARY"
}

wrk_run() { # $1 name, $2 url, $3 body, $4 session or ""; an answer counts until WRK_TIMEOUT (10 s: a cold gateway
           # on a busy machine answers later than wrk's own 2 s)
  BODY="$3" SESSION="$4" TOKEN="${TOKEN:-}" HEADERS="$(IFS='|'; echo "${EXTRA[*]}")" wrk -t2 -c64 -d"${DUR}s" --timeout "${WRK_TIMEOUT:-10s}" --latency -s bench/post.lua "$2" > "$OUT/$1.wrk"
  local rps p99 non2xx
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$OUT/$1.wrk")
  p99=$(awk '$1=="99%" {print $2}' "$OUT/$1.wrk")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$OUT/$1.wrk")
  echo "$1 max_rps=$rps p99=$p99 non2xx=${non2xx:-0}" | tee -a "$SUMMARY"
}

peak() { # $1 name, $2 url, $3 body, $4 session: wrk_run, and "$1-cost" with CPU µs and allocated bytes per request
  local c0 a0 reqs
  c0=$(cpu_ticks); a0=$(allocated)
  wrk_run "$1" "$2" "$3" "$4"
  reqs=$(awk '/requests in/ {print $1}' "$OUT/$1.wrk")
  echo "$1-cost cpu_us_per_req=$(( ($(cpu_ticks) - c0) * 10000 / reqs )) \
alloc_bytes_per_req=$(( ($(allocated) - a0) / reqs )) load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$SUMMARY"
}

val() { # $1 measurement name, $2 key: its value in $SUMMARY
  awk -v n="$1" -v k="$2" '$1==n { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1]==k) { sub(/ms$/, "", kv[2]); print kv[2] } } }' "$SUMMARY"
}

# the machine and JVM, first lines of every summary
: > "$SUMMARY"
echo "gateway JVM options: $JAVA_OPTS" | tee -a "$SUMMARY"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)" | tee -a "$SUMMARY"
