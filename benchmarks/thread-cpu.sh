#!/usr/bin/env bash
# CPU of one process by thread name, over a window: where a running `./tiergate up` spends it.
#   benchmarks/thread-cpu.sh PID [SECONDS]    (default 20)
# Reads each thread's user+system clock ticks from /proc before and after the window and prints
# the difference as % of one core per thread name (digits folded, so a pool is one line; names are
# the kernel's, cut at 15 characters), largest first, then the total. Drive a load meanwhile, e.g.
# `node benchmarks/open-loop.js 100 40`.
set -euo pipefail

PID="$1"
SECONDS_WINDOW="${2:-20}"
TICKS="$(getconf CLK_TCK)"

snapshot() {
  for task in /proc/"$PID"/task/*; do
    local stat name
    stat="$(cat "$task/stat" 2>/dev/null)" || continue
    name="$(cat "$task/comm" 2>/dev/null)" || continue
    # Fields after the ")" that closes the thread name: utime is the 12th, stime the 13th.
    read -r -a fields <<< "${stat##*) }"
    echo "${task##*/} $((fields[11] + fields[12])) ${name// /_}"
  done | sort
}

before="$(snapshot)"
sleep "$SECONDS_WINDOW"
after="$(snapshot)"
join <(echo "$before") <(echo "$after") | awk -v window="$SECONDS_WINDOW" -v ticks="$TICKS" '
  { name = $3; gsub(/[0-9]+/, "#", name); spent[name] += $4 - $2; total += $4 - $2 }
  END {
    for (name in spent) if (spent[name] > 0) printf "%6.1f%%  %s\n", 100 * spent[name] / ticks / window, name
    printf "%6.1f%%  TOTAL\n", 100 * total / ticks / window
  }' | sort -rn
