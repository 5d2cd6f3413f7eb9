#!/usr/bin/env bash
# CPU ticks (1/100 s) a JVM's threads used so far, by kind: "jit=N gc=N other=N total=N" (thread names from /proc).
# usage: bench/thread-cpu.sh pid
for t in /proc/"$1"/task/*; do
  printf '%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(cut -d')' -f2 "$t/stat" 2>/dev/null | awk '{print $12 + $13}')"
done | awk -F'\t' '$2 != "" { k = $1 ~ /^C[12] Compiler/ ? "jit" : $1 ~ /^(GC|VM Thread|G1|Serial)/ ? "gc" : "other"; s[k] += $2; t += $2 }
  END { printf "jit=%d gc=%d other=%d total=%d\n", s["jit"], s["gc"], s["other"], t }'
