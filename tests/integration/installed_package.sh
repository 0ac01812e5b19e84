#!/usr/bin/env bash
# faust-cpp is installable as C++ libraries are: `cmake --install` into a
# temporary prefix, then a project outside the tree (tests/package) finds it
# with find_package(faust_cpp), links faust::faust, builds and runs. The
# same project configures with add_subdirectory on the sources.
#   installed_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" ||
  { cat "$work/install.log"; fail "cmake --install failed"; }
for f in include/faust_cpp/faust/app.hpp include/faust_cpp/models/error.hpp \
  lib/libfaust_actors.a lib/cmake/faust_cpp/faust_cppConfig.cmake \
  lib/cmake/faust_cpp/FindCAF.cmake bin/faust-broker; do
  [[ -e $work/prefix/$f ]] || fail "not installed: $f"
done

cmake -S "$source/tests/package" -B "$work/app" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" \
  >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "configure"; }
cmake --build "$work/app" >"$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log"; fail "the app does not build against the install"; }
out=$(timeout 60 "$work/app/greeter") || fail "greeter exited with $?"
[[ $out == "hello installed" ]] || fail "greeter printed '$out'"
# Its command line works too (Faust's `agents`).
timeout 60 "$work/app/greeter" agents | grep -q $'^@greet\t' ||
  fail "greeter agents does not list its agent"

# add_subdirectory: the same project configures against the sources (the
# build itself is the one above, so only configure and generate here).
cmake -S "$source/tests/package" -B "$work/sub" -G Ninja \
  -DFAUST_SOURCE_DIR="$source" >"$work/sub.log" 2>&1 ||
  { tail -40 "$work/sub.log"; fail "add_subdirectory configure"; }
grep -q 'faust_actors' "$work/sub/build.ninja" || fail "add_subdirectory: no faust_actors target"
grep -q 'actors_test' "$work/sub/build.ninja" && fail "add_subdirectory builds our tests"
echo "ok: installed, found, built and ran outside the tree; add_subdirectory configures"
