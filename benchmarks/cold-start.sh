#!/usr/bin/env bash
# Cold start of `./tiergate up` as a user sees it, from the command to the first reply.
#   benchmarks/cold-start.sh [RUNS] [--idle]    (RUNS default 2, in either order)
# Per run: a fresh data directory and free ports; the wall time until the banner ("Tiergate is up"),
# the stack's own "ready in" figure, the time until one chat request sent right after the banner has
# come back (its HTTP status must be 200), the CPU time `up`'s JVM had spent at the banner (and how
# much of it its JIT compiler threads), the timeline of the start (the stack's INFO lines with
# their time since the command), then SIGTERM: the exit code and the count of ERROR lines.
# With --idle the stack is left alone after that reply and the share of one core it uses in the
# second minute after the command (60-120 s) is printed: the JVM, its JIT compilers, and the
# processes it started (the registry) -- what the idle goal asks of `./tiergate up` itself -- and
# the JVM's resident memory at the end of that minute.
# Run it under the benchmark lock (docs/benchmarks.md); it does not build: `./tiergate up` must
# already be built (it builds when sources changed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS=2
IDLE=""
for arg in "$@"; do
  case "$arg" in
    --idle) IDLE="--idle" ;;
    *) RUNS="$arg" ;;
  esac
done
# TIERGATE names another build's script to compare with (a before/after pair).
TIERGATE="${TIERGATE:-$ROOT/tiergate}"

# A free port below the ephemeral ranges, as FreePorts picks them: a port from bind(0) can be taken
# by an outgoing connection's local port before the stack binds it, seconds later.
free_port() {
  python3 -c '
import random, socket
for port in random.sample(range(20000, 32768), 200):
    try:
        socket.socket().bind(("127.0.0.1", port))
        print(port)
        break
    except OSError:
        pass
else:
    raise SystemExit("no free port in 20000-32767")'
}

now_ms() {
  echo $(( $(date +%s%N) / 1000000 ))
}

TICKS_PER_S="$(getconf CLK_TCK)"

# CPU ms (user + system) of a process or thread, from its stat file: the fields after the command
# name, which may hold spaces ("C2 CompilerThre").
cpu_ms() {
  sed 's/.*) //' "$1" 2>/dev/null | awk -v hz="$TICKS_PER_S" '{ print int(($12 + $13) * 1000 / hz) }'
}

# CPU ms of the JVM's JIT compiler threads (C1 and C2).
jit_ms() {
  local total=0 task
  for task in /proc/"$1"/task/*; do
    if grep -q 'CompilerThre' "$task/comm" 2>/dev/null; then
      total=$(( total + $(cpu_ms "$task/stat") ))
    fi
  done
  echo "$total"
}

# CPU ms of the processes the JVM started (the schema registry).
children_ms() {
  local total=0 child
  for child in $(pgrep -P "$1" || true); do
    total=$(( total + $(cpu_ms "/proc/$child/stat") ))
  done
  echo "$total"
}

# The share of one core, in %, of CPU_MS spent over WALL_MS.
share() {
  awk -v cpu="$1" -v wall="$2" 'BEGIN { printf "%.2f", 100 * cpu / wall }'
}

one_run() {
  local dir out port started banner_at reply_at status pid code errors
  dir="$(mktemp -d -t tiergate-cold-XXXXXX)"
  out="$dir/up.log"
  port="$(free_port)"
  started="$(now_ms)"
  (cd "$dir" && exec "$TIERGATE" up --port "$port" --accounting-port "$(free_port)" \
      --data-dir "$dir/data") >"$out" 2>&1 &
  pid=$!
  until grep -q "Tiergate is up" "$out"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "tiergate up exited before it was ready; its output:" >&2
      cat "$out" >&2
      return 1
    fi
    sleep 0.05
  done
  banner_at="$(now_ms)"
  local jvm_at_banner jit_at_banner
  jvm_at_banner="$(cpu_ms "/proc/$pid/stat")"
  jit_at_banner="$(jit_ms "$pid")"
  status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 \
    "http://127.0.0.1:$port/v1/chat/completions" -H 'Authorization: Bearer tg-demo-key' \
    -H 'Content-Type: application/json' -H 'x-tiergate-mode: code' \
    -d '{"model":"auto/balanced","messages":[{"role":"user","content":"Hello"}]}')"
  reply_at="$(now_ms)"
  local idle_line=""
  if [[ "$IDLE" == "--idle" ]]; then
    local jvm0 jit0 kids0 at0 at1
    sleep "$(awk -v ms="$(( started + 60000 - $(now_ms) ))" 'BEGIN { print (ms > 0 ? ms / 1000 : 0) }')"
    at0="$(now_ms)"; jvm0="$(cpu_ms "/proc/$pid/stat")"; jit0="$(jit_ms "$pid")"; kids0="$(children_ms "$pid")"
    sleep 60
    at1="$(now_ms)"
    idle_line="idle 60-120 s: JVM $(share $(( $(cpu_ms "/proc/$pid/stat") - jvm0 )) $(( at1 - at0 )))% of a core"
    idle_line+=" (JIT compilers $(share $(( $(jit_ms "$pid") - jit0 )) $(( at1 - at0 )))%),"
    idle_line+=" started processes $(share $(( $(children_ms "$pid") - kids0 )) $(( at1 - at0 )))%;"
    idle_line+=" JVM RSS $(awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status") MiB"
  fi
  kill -TERM "$pid"
  code=0
  wait "$pid" || code=$?
  errors="$(grep -c ' ERROR ' "$out" || true)"
  echo "run $1: banner $(( banner_at - started )) ms ($(grep -o 'ready in [0-9.]* s' "$out")), first reply" \
    "$(( reply_at - started )) ms (HTTP $status), exit $code after SIGTERM, ERROR lines $errors"
  echo "  JVM CPU at the banner $(( jvm_at_banner )) ms, of which JIT compilers $(( jit_at_banner )) ms"
  if [[ -n "$idle_line" ]]; then
    echo "  $idle_line"
  fi
  # The timeline: each INFO line of the launcher, the local stack and the services, and the time
  # of day of the command's start to read them against.
  echo "  command started $(date -u -d "@$(( started / 1000 ))" +%H:%M:%S).$(( started % 1000 ))"
  awk '/ INFO / && !/PartitionTail/ { print "  " $0 } /stack ready in/ { exit }' "$out"
  grep -A3 -E ' ERROR |\]\[(warning|error)\]' "$out" | head -40 | sed 's/^/  /' || true
  rm -rf "$dir"
}

for run in $(seq 1 "$RUNS"); do
  one_run "$run"
done
