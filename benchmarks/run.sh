#!/usr/bin/env bash
# Runs the Tiergate benchmark harness (never part of `mvn verify`; see docs/benchmarks.md).
#   benchmarks/run.sh latency     added latency vs direct and vs Portkey, max sustained rate, cold start
#   benchmarks/run.sh streams     streamed replies: time to first chunk and gaps vs direct and Portkey
#                                 (--concurrent N: N streams open at once, memory)
#   benchmarks/run.sh trace       agent-trace replay: routed cost vs all-frontier per mode
#   benchmarks/run.sh ingress     the ingress alone, bus replaced by an in-memory loopback
#   benchmarks/run.sh dispatcher  one dispatcher holding 2,000 calls in flight at 200 ms
#   benchmarks/run.sh bulk        100,000 requests through the embedded stack over HTTP
#                                 (--via BATCH: as batch jobs, the way `tiergate batch submit` runs a file)
#   benchmarks/run.sh idle        CPU share per part of the idle stack after its first minute
#   benchmarks/run.sh transactions  the dispatcher's transaction round alone: time per phase
#   benchmarks/run.sh jmh [args]  JMH benches (router decision path, accounting aggregation)
#   benchmarks/run.sh all         everything above, in that order
# BENCH_SKIP_BUILD=1 reuses the last build; BENCH_JAVA_OPTS adds JVM options.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/benchmarks"
cd "$ROOT"

if [[ "${BENCH_SKIP_BUILD:-0}" != "1" || ! -d "$BENCH/target/lib" ]]; then
  echo "bench: building the reactor and the harness (-Pbench, tests skipped)..." >&2
  mvn -B -q install -Pbench -DskipTests -pl benchmarks -am
fi

# The peer gateway: Portkey's open-source gateway from npm, into a git-ignored folder; again
# whenever peer/package.json changed since the last install.
if [[ ! -f "$BENCH/peer/node_modules/@portkey-ai/gateway/build/start-server.js" \
    || "$BENCH/peer/package.json" -nt "$BENCH/peer/node_modules/.package-lock.json" ]]; then
  echo "bench: installing @portkey-ai/gateway (npm)..." >&2
  # npm leaves its record of the install alone when nothing changed: touch it, so the check above holds.
  (cd "$BENCH/peer" && npm install --no-audit --no-fund --loglevel=error \
    && touch node_modules/.package-lock.json)
fi

# Snapshot the harness (classes + dependency copies) so a rebuild during a long run cannot break it.
RUN_DIR="$BENCH/target/run-$$"
mkdir -p "$RUN_DIR"
cp -r "$BENCH/target/classes" "$BENCH/target/lib" "$RUN_DIR/"
trap 'rm -rf "$RUN_DIR"' EXIT
CP="$RUN_DIR/classes:$RUN_DIR/lib/*"
JAVA_OPTS=(-Xmx1g "-Dlogback.configurationFile=$RUN_DIR/classes/bench-logback.xml" ${BENCH_JAVA_OPTS:-})

run() {
  case "$1" in
    jmh)
      shift
      java "${JAVA_OPTS[@]}" -cp "$CP" org.openjdk.jmh.Main "$@" ;;
    *)
      java "${JAVA_OPTS[@]}" -cp "$CP" dev.tiergate.bench.BenchCli "$@" ;;
  esac
}

case "${1:-}" in
  all)
    shift
    for cmd in latency trace ingress dispatcher bulk idle; do run "$cmd"; done
    run jmh -rf text -rff "$BENCH/results/jmh.txt"
    ;;
  "")
    run --help ;;
  *)
    run "$@" ;;
esac
