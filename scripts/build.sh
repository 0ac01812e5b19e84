#!/usr/bin/env bash
# Configures and builds one configuration.
#   scripts/build.sh [release|asan]
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
case $kind in
  release) cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ;;
  asan) cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
          -DFAUST_SANITIZERS=address,undefined -DFAUST_BUILD_BENCH=OFF ;;
  *) echo "usage: $0 [release|asan]"; exit 2 ;;
esac >/dev/null
cmake --build "$([[ $kind == asan ]] && echo build-asan || echo build)"
