#!/usr/bin/env bash
# Cold start of `./tiergate up` as a user sees it, from the command to the first reply.
#   benchmarks/cold-start.sh [RUNS]    (default 2)
# Per run: a fresh data directory and free ports; the wall time until the banner ("Tiergate is up"),
# the stack's own "ready in" figure, the time until one chat request sent right after the banner has
# come back (its HTTP status must be 200), the timeline of the start (the stack's INFO lines with
# their time since the command), then SIGTERM: the exit code and the count of ERROR lines.
# Run it under the benchmark lock (docs/benchmarks.md); it does not build: `./tiergate up` must
# already be built (it builds when sources changed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-2}"
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
  status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 \
    "http://127.0.0.1:$port/v1/chat/completions" -H 'Authorization: Bearer tg-demo-key' \
    -H 'Content-Type: application/json' -H 'x-tiergate-mode: code' \
    -d '{"model":"auto/balanced","messages":[{"role":"user","content":"Hello"}]}')"
  reply_at="$(now_ms)"
  kill -TERM "$pid"
  code=0
  wait "$pid" || code=$?
  errors="$(grep -c ' ERROR ' "$out" || true)"
  echo "run $1: banner $(( banner_at - started )) ms ($(grep -o 'ready in [0-9.]* s' "$out")), first reply" \
    "$(( reply_at - started )) ms (HTTP $status), exit $code after SIGTERM, ERROR lines $errors"
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
