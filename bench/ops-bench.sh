#!/usr/bin/env bash
# Operations timings (issue 8), as ratios to `java -jar target/caravan.jar` in the same run: time from process start
# to readiness (/observe/health/ready answers 200: routes up and every MCP backend asked once) under java -jar and
# under bin/camel run (Camel JBang), how long `validate` takes, and how long SIGTERM takes to end an idle gateway.
# Usage: bench/ops-bench.sh [rounds]   (results in target/bench/ops-summary.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh ops-summary.txt
ROUNDS=${1:-5}
[ -s target/camel-jbang/classpath ] || bin/camel --help > /dev/null
JBANG=(bin/camel run routes/*.camel.yaml kamelets/*.kamelet.yaml config/application.properties
       config/camel-jbang.properties target/caravan.jar --logging-color=false)

ready_ms() { # $1 log name, then the command; sets MS to the ms to readiness and RPID to the process
  local log=$1 t0; shift
  t0=$(date +%s%N)
  "$@" > "$OUT/$log.log" 2>&1 &
  RPID=$!; PIDS+=("$RPID")
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MG/observe/health/ready")" = 200 ]; do
    kill -0 "$RPID" || { echo "$log died, see $OUT/$log.log" >&2; exit 1; }
    sleep 0.02
  done
  MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

stop_ms() { local t0; t0=$(date +%s%N); kill -TERM "$RPID"; wait "$RPID" 2>/dev/null || true
            MS=$(( ($(date +%s%N) - t0) / 1000000 )); }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

jar=(); jbang=(); vals=(); stop=()
for _ in $(seq "$ROUNDS"); do
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of JVM flags
  ready_ms jar java ${JAVA_OPTS} -jar target/caravan.jar; jar+=("$MS"); stop_ms; stop+=("$MS")
  ready_ms jbang env CAMEL_JAVA_OPTS="${JAVA_OPTS}" "${JBANG[@]}"; jbang+=("$MS"); stop_ms
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  java ${JAVA_OPTS} -jar target/caravan.jar validate > "$OUT/validate.log"
  vals+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
J=$(printf '%s\n' "${jar[@]}" | median); B=$(printf '%s\n' "${jbang[@]}" | median)
V=$(printf "%s\n" "${vals[@]}" | median); S=$(printf '%s\n' "${stop[@]}" | median)
{
  echo "rounds: $ROUNDS (medians; all: jar ${jar[*]} / camel run ${jbang[*]} / validate ${vals[*]} / stop ${stop[*]})"
  echo "java -jar to ready: $J ms"
  echo "bin/camel run to ready: $B ms ($(awk "BEGIN {printf \"%.2f\", $B/$J}") x java -jar)"
  echo "validate: $V ms ($(awk "BEGIN {printf \"%.2f\", $V/$J}") x java -jar to ready)"
  echo "SIGTERM to exit, idle: $S ms"
} | tee -a "$SUMMARY"
