#!/usr/bin/env bash
# Runs a command-line subcommand of an example (no broker needed) and
# compares its whole stdout with a file.
#   cli_output.sh BINARY EXPECTED_FILE ARGS...
set -euo pipefail
# Apps serve their web views on ports the system picks (tests run at once).
export F_WEB_PORT=${F_WEB_PORT:-0}
binary=$1 expected=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 30 "$binary" "$@" >"$out" || { echo "FAIL: $binary $* exited with $?"; exit 1; }
diff -u "$expected" "$out" || { echo "FAIL: $binary $* printed something else"; exit 1; }
echo "ok: $(basename "$binary") $*"
