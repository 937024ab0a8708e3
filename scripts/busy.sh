#!/usr/bin/env bash
# Runs a command while N CPU-bound processes (default 2) compete with it for the processors:
# CI's worst case (a shared, loaded machine) reproduced on purpose.
#   scripts/busy.sh make test
#   BUSY=4 scripts/busy.sh .venv/bin/pytest -q accounts
# The busy processes are ended when the command ends (also on Ctrl+C or an error); the
# command's exit status is kept. The elapsed time and the load average are printed at the end.
set -u
if [ $# -eq 0 ]; then
  echo "usage: BUSY=N $0 command [args...]   (N CPU-bound processes beside it, default 2)" >&2
  exit 2
fi
count="${BUSY:-2}"
case "$count" in
  '' | *[!0-9]*) echo "busy: BUSY must be a whole number, not '$count'" >&2; exit 2 ;;
esac

busy_pids=()
stop_busy() {
  for pid in "${busy_pids[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${busy_pids[@]}"; do
    wait "$pid" 2>/dev/null
  done
  busy_pids=()
}
trap stop_busy EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

parent=$$
for _ in $(seq "$count"); do
  # A shell loop that never sleeps: one whole processor each, no memory, no I/O. It also
  # ends by itself if this script is gone (killed with SIGKILL, say), so none is left behind.
  ( trap - INT TERM; while kill -0 "$parent" 2>/dev/null; do for _ in {1..20000}; do :; done; done ) &
  busy_pids+=("$!")
done
echo "busy: $count CPU-bound processes (${busy_pids[*]}) beside: $*" >&2

started=$(date +%s)
"$@"
status=$?
elapsed=$(( $(date +%s) - started ))
echo "busy: '$*' exited $status after ${elapsed} s with $count busy processes;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)" >&2
exit "$status"
