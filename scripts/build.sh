#!/usr/bin/env bash
# Configures and builds one configuration.
#   scripts/build.sh [release|asan|tsan]
# tsan builds only the suites of plain logic (models, storage, cluster): Debian's CAF
# is not built with ThreadSanitizer, so it cannot see CAF's own
# synchronisation and reports every message hand-off as a race (README,
# "Sanitizers").
# FAUST_DEBUG_INFO: the compiler's debug-info flag (default -g; the test job
# uses -g1, line tables only: backtraces keep their lines, and heavy files
# compile ~25% faster).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
g=${FAUST_DEBUG_INFO:--g}
case $kind in
  release) cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
             -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 $g -DNDEBUG" ;;
  asan) cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
          -DCMAKE_CXX_FLAGS_DEBUG="$g" \
          -DFAUST_SANITIZERS=address,undefined -DFAUST_BUILD_BENCH=OFF ;;
  tsan) cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
          -DCMAKE_CXX_FLAGS_DEBUG="$g -O1" \
          -DFAUST_SANITIZERS=thread -DFAUST_BUILD_BENCH=OFF ;;
  *) echo "usage: $0 [release|asan|tsan]"; exit 2 ;;
esac >/dev/null
case $kind in
  release) cmake --build build ;;
  asan) cmake --build build-asan ;;
  tsan) cmake --build build-tsan --target models_test storage_test cluster_test ;;
esac
