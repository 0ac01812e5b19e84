#!/usr/bin/env bash
# Runs an example binary as a real process (bounded in time) and checks that
# its stdout contains every expected line, in order.
#   run_example.sh BINARY EXPECTED_FILE [ARGS...]
set -euo pipefail
# Apps serve their web views on ports the system picks (tests run at once).
export F_WEB_PORT=${F_WEB_PORT:-0}
binary=$1 expected=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! timeout 60 "$binary" "$@" >"$out"; then
  echo "FAIL: $binary exited with $?"; cat "$out"; exit 1
fi
# Each expected line must appear after the previous one.
line_no=0
while IFS= read -r want; do
  found=$(tail -n +"$((line_no + 1))" "$out" | grep -n -F -x -- "$want" | head -1 | cut -d: -f1 || true)
  if [[ -z $found ]]; then
    echo "FAIL: missing line (in order): $want"; echo "--- output:"; cat "$out"; exit 1
  fi
  line_no=$((line_no + found))
done <"$expected"
echo "ok: $(basename "$binary")"
