#!/usr/bin/env bash
# Each public header compiles on its own and includes none of the runtime's
# dependencies (CAF, librdkafka, Protobuf, msgpack-c, spdlog, simdjson, the
# full nlohmann header, RocksDB): a user's file that includes the app
# pays for the façade, not for the runtime. Also reports (and bounds) the
# preprocessed size of <faust/app.hpp>.
#   public_headers.sh SOURCE_DIR CXX
set -euo pipefail
src=$1
cxx=${2:-c++}
mapfile -t headers < <(cd "$src/include" && ls faust/*.hpp)
forbidden='/caf/|librdkafka/|google/protobuf/|/msgpack\.hpp|/msgpack/|/spdlog/|/fmt/|simdjson|/nlohmann/json\.hpp|/rocksdb/|/actors/|/transport/kafka/|/transport/memory|/supervision/(supervisor|logger|errors|failure)'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for h in "${headers[@]}"; do
  printf '#include <%s>\n' "$h" >"$work/one.cpp"
  if ! "$cxx" -std=c++20 -I"$src" -I"$src/include" -fsyntax-only -H \
      "$work/one.cpp" 2>"$work/includes.txt"; then
    cat "$work/includes.txt"
    echo "FAIL: <$h> does not compile on its own"
    status=1
    continue
  fi
  if grep -E "$forbidden" "$work/includes.txt" | head -5 | grep .; then
    echo "FAIL: <$h> pulls in the headers above"
    status=1
  fi
done
printf '#include <faust/app.hpp>\n' >"$work/app.cpp"
lines=$("$cxx" -std=c++20 -I"$src" -I"$src/include" -E "$work/app.cpp" | wc -l)
# The C++20 standard headers the façade needs are ~86k lines alone.
budget=100000
echo "<faust/app.hpp> preprocesses to $lines lines (budget $budget)"
if ((lines > budget)); then
  echo "FAIL: <faust/app.hpp> grew past its budget"
  status=1
fi
((status == 0)) && echo "ok: ${#headers[@]} public headers, none pulls in a runtime dependency"
exit $status
