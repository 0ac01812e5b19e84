#!/usr/bin/env bash
# The test job: install what is missing, build, run the whole test suite,
# then build and run it again under AddressSanitizer + UndefinedBehaviorSanitizer.
#   scripts/test.sh [--no-asan]
# and the plain-logic suites once more under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh release
(cd build && ctest --output-on-failure -j2)
if [[ ${1:-} != --no-asan ]]; then
  scripts/build.sh asan
  (cd build-asan &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j2)
  scripts/build.sh tsan
  (cd build-tsan &&
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --output-on-failure -j2 -R '^(models|storage|cluster):')
fi
