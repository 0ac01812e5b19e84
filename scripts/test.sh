#!/usr/bin/env bash
# The test job: install what is missing, build, run the whole test suite,
# then build and run it again under AddressSanitizer + UndefinedBehaviorSanitizer
# (every unit, actor and process test, and the Kafka process tests labelled
# `sanitized`: the others run in the release pass only, each is a few
# minutes of waiting for session timeouts under the sanitizers),
# and the plain-logic suites once more under ThreadSanitizer.
#   scripts/test.sh [--no-asan]
set -euo pipefail
cd "$(dirname "$0")/.."
# Line tables only (scripts/build.sh): the builds are most of the job.
export FAUST_DEBUG_INFO=${FAUST_DEBUG_INFO:--g1}
started=$SECONDS
phase() { echo "== $1 (at $((SECONDS - started)) s)"; }
phase "dependencies"
scripts/install_deps.sh
phase "release build"
scripts/build.sh release
phase "release tests"
(cd build && ctest --output-on-failure -j2)
if [[ ${1:-} != --no-asan ]]; then
  phase "ASan+UBSan build"
  scripts/build.sh asan
  phase "ASan+UBSan tests"
  (cd build-asan &&
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      LSAN_OPTIONS=suppressions=$PWD/../tests/lsan.supp:print_suppressions=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 &&
    ctest --output-on-failure -j2 -LE '^kafka$' &&
    ctest --output-on-failure -L '^sanitized$')
  phase "TSan build"
  scripts/build.sh tsan
  phase "TSan tests"
  (cd build-tsan &&
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --output-on-failure -j2 -R '^(models|storage|cluster):')
fi
phase "done"
