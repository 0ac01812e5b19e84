#!/usr/bin/env bash
# CMake splits test names at ';', so a doctest case named with one would
# become ctest entries that select no test case and pass without running it.
#   test_names.sh DOCTEST_BINARY
set -euo pipefail
names=$("$1" --list-test-cases)
if grep -F ';' <<<"$names"; then
  echo "FAIL: the test cases above have ';' in their names (ctest cannot run them)"
  exit 1
fi
echo "ok: $(grep -c . <<<"$names") lines listed, no ';' in a test case name"
