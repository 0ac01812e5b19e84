#!/usr/bin/env bash
# Each public header compiles on its own and includes none of the runtime's
# dependencies (CAF, librdkafka, Protobuf, msgpack-c, spdlog, simdjson, the
# full nlohmann header, RocksDB): a user's file that includes the app
# pays for the façade, not for the runtime. Also reports (and bounds) the
# preprocessed size of <actors/app.hpp>.
#   public_headers.sh SOURCE_DIR CXX
set -euo pipefail
src=$1
cxx=${2:-c++}
headers=(app agent agent_task crontab event set_table settings stream
         stream_spec table table_options topic topic_options windowed_table
         uuid)
forbidden='/caf/|librdkafka/|google/protobuf/|/msgpack\.hpp|/msgpack/|/spdlog/|/fmt/|simdjson|/nlohmann/json\.hpp|/rocksdb/'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for h in "${headers[@]}"; do
  printf '#include "actors/%s.hpp"\n' "$h" >"$work/one.cpp"
  if ! "$cxx" -std=c++20 -I"$src" -fsyntax-only -H "$work/one.cpp" \
      2>"$work/includes.txt"; then
    cat "$work/includes.txt"
    echo "FAIL: actors/$h.hpp does not compile on its own"
    status=1
    continue
  fi
  if grep -E "$forbidden" "$work/includes.txt" | head -5 | grep .; then
    echo "FAIL: actors/$h.hpp pulls in the headers above"
    status=1
  fi
done
printf '#include "actors/app.hpp"\n' >"$work/app.cpp"
lines=$("$cxx" -std=c++20 -I"$src" -E "$work/app.cpp" | wc -l)
# The C++20 standard headers the façade needs are ~86k lines alone.
budget=100000
echo "actors/app.hpp preprocesses to $lines lines (budget $budget)"
if ((lines > budget)); then
  echo "FAIL: actors/app.hpp grew past its budget"
  status=1
fi
((status == 0)) && echo "ok: ${#headers[@]} public headers, none pulls in a runtime dependency"
exit $status
