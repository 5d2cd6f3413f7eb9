#!/usr/bin/env python3
"""CPU samples and allocation of a JFR recording grouped by concern (bench/profile.sh).

A sample belongs to the concern of its first frame, from the top, that is not JDK code (java.*, jdk.*, sun.*), so a
HashMap.get called by Jackson counts as Jackson. Besides, every sample is charged to the innermost gateway class
(dev.caravan.*) on its stack: what our own processors cost, the library code they call included.
usage: jfr-concerns.py recording.jfr [jfr binary]
"""
import collections
import json
import subprocess
import sys

CONCERNS = [  # (prefix, concern); the first match wins
    ("dev.caravan.telemetry.AccessLog", "access log"),
    ("dev.caravan.telemetry.Traces", "tracing/OTel"),
    ("dev.caravan.telemetry.ListenerSpans", "tracing/OTel"),
    ("dev.caravan.telemetry", "metrics (ours)"),
    ("dev.caravan.proxy.StrictText", "strict UTF-8"),
    ("dev.caravan.auth", "JWT/auth"),
    ("dev.caravan", "our processors"),
    ("org.apache.camel.opentelemetry", "tracing/OTel"),
    ("org.apache.camel.telemetry", "tracing/OTel"),
    ("io.opentelemetry", "tracing/OTel"),
    ("org.apache.camel.component.micrometer", "metrics (Camel/Micrometer)"),
    ("io.micrometer", "metrics (Camel/Micrometer)"),
    ("org.apache.camel.language", "Camel languages (simple, jsonpath)"),
    ("org.apache.camel.jsonpath", "Camel languages (simple, jsonpath)"),
    ("com.jayway.jsonpath", "Camel languages (simple, jsonpath)"),
    ("org.apache.camel.component.platform.http", "Camel platform-http"),
    ("org.apache.camel.component.kamelet", "Camel routing engine"),
    ("org.apache.camel", "Camel routing engine"),
    ("com.fasterxml.jackson", "Jackson"),
    ("io.vertx", "Vert.x"),
    ("io.netty", "Netty"),
    ("org.apache.logging", "log4j"),
    ("org.slf4j", "log4j"),
    ("com.nimbusds", "JWT/auth"),
]
JDK = ("java.", "jdk.", "sun.", "javax.", "com.sun.")


def concern(cls):
    for prefix, name in CONCERNS:
        if cls.startswith(prefix):
            return name
    return "other: " + ".".join(cls.split(".")[:3])


def frames(event):
    stack = event["values"].get("stackTrace") or {}
    for f in stack.get("frames") or []:
        m = f["method"]
        yield m["type"]["name"].replace("/", "."), m["name"]


def owner(event):
    first = None
    for cls, _ in frames(event):
        first = first or cls
        if not cls.startswith(JDK):
            return concern(cls)
    return "JDK only" if first else "no stack"


def ours(event):
    for cls, method in frames(event):
        if cls.startswith("dev.caravan"):
            return cls.removeprefix("dev.caravan.").split("$")[0]
    return "(no gateway frame)"


def load(path, jfr, event):
    out = subprocess.run([jfr, "print", "--json", "--stack-depth", "96", "--events", event, path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def table(title, counts, total, unit):
    print(f"\n{title} (total {total:,.0f} {unit})")
    for name, n in counts.most_common(18):
        print(f"  {100 * n / total:5.1f} %  {name}")


def main():
    path = sys.argv[1]
    jfr = sys.argv[2] if len(sys.argv) > 2 else "jfr"
    cpu = load(path, jfr, "jdk.ExecutionSample")
    table("CPU samples by concern", collections.Counter(owner(e) for e in cpu), len(cpu), "samples")
    table("CPU samples by innermost gateway class", collections.Counter(ours(e) for e in cpu), len(cpu), "samples")
    alloc = load(path, jfr, "jdk.ObjectAllocationSample")
    by_owner, by_ours, by_type = collections.Counter(), collections.Counter(), collections.Counter()
    for e in alloc:
        w = e["values"]["weight"]
        by_owner[owner(e)] += w
        by_ours[ours(e)] += w
        by_type[e["values"]["objectClass"]["name"].replace("/", ".")] += w
    total = sum(by_owner.values())
    table("allocation by concern", by_owner, total, "bytes sampled")
    table("allocation by innermost gateway class", by_ours, total, "bytes sampled")
    table("allocation by type", by_type, total, "bytes sampled")


if __name__ == "__main__":
    main()
