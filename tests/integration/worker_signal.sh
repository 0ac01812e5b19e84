#!/usr/bin/env bash
# Starts an example's `worker` command as a real process, waits until it has
# started (its log says so), sends SIGTERM and expects a clean, prompt exit.
#   worker_signal.sh BINARY
set -euo pipefail
# Apps serve their web views on ports the system picks (tests run at once).
export F_WEB_PORT=${F_WEB_PORT:-0}
binary=$1
log=$(mktemp)
trap 'rm -f "$log"; kill -9 "$pid" 2>/dev/null || true' EXIT
"$binary" worker -l info 2>"$log" >/dev/null &
pid=$!
# Wait for the "started" log line (the event), at most 20 s.
if ! timeout 20 grep -q -m1 "started" <(tail -f "$log"); then
  echo "FAIL: worker did not start"; cat "$log"; exit 1
fi
kill -TERM "$pid"
if ! timeout 20 tail --pid="$pid" -f /dev/null; then
  echo "FAIL: worker did not stop within 20 s of SIGTERM"; cat "$log"; exit 1
fi
wait "$pid"; rc=$?
grep -q "shutting down on signal" "$log" || { echo "FAIL: no shutdown line"; cat "$log"; exit 1; }
grep -q "stopped" "$log" || { echo "FAIL: no stopped line"; cat "$log"; exit 1; }
echo "ok: $(basename "$binary") worker exited $rc on SIGTERM"
exit "$rc"
