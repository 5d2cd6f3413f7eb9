#!/usr/bin/env bash
# Trains a JDK 25 ahead-of-time cache (JEP 483/514/515: classes loaded and linked, method profiles) for
# target/caravan.jar with 20 s of LLM /v1/messages load, for comparing warm-up with bench/warmup.sh:
#   bench/aot-cache.sh && JAVA=$J25 JAVA_OPTS="-XX:+UseSerialGC -Xmx512m -XX:AOTCache=target/caravan.aot" \
#     bench/warmup.sh jdk25-aot 8
# The gateway does not run on 25 (Camel 4.18 supports Java 17 and 21): this only measures what 25 would give.
# usage: [J25=path to a JDK 25 java] bench/aot-cache.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_PORT_BASE=${BENCH_PORT_BASE:-17000}
# shellcheck source=bench/lib.sh
. bench/lib.sh aot-cache.txt 20
J25=${J25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
STUB=$((B + 204))
start_helper aot-stub dev.caravan.bench.StubLlmServer $STUB 20
rm -f target/caravan.aot
launch_gateway aot-train . "$J25 ${JAVA_OPTS} -XX:AOTCacheOutput=target/caravan.aot" CARAVAN_DEMO_ENABLED=false \
  CARAVAN_LLM_AUTH_MODE=off LLM_ANTHROPIC_URL=http://127.0.0.1:$STUB CARAVAN_SECRET_ANTHROPIC_API_KEY=bench \
  CARAVAN_SECRET_OPENAI_API_KEY=bench
EXTRA=("x-api-key: bench" "anthropic-version: 2023-06-01")
wrk_run aot-train-load "http://127.0.0.1:$GW/v1/messages" \
  '{"model":"claude-sonnet-4-6","max_tokens":256,"messages":[{"role":"user","content":"Tell me about gateways"}]}' ""
# the cache is written when the JVM exits
stop_gateway
ls -l target/caravan.aot | tee -a "$SUMMARY"
