#!/usr/bin/env bash
# Installs the Debian 12 packages faust-cpp builds with, if any is missing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  libcaf-dev librdkafka-dev librocksdb-dev libmsgpack-cxx-dev
  libprotobuf-dev protobuf-compiler libspdlog-dev libfmt-dev doctest-dev
  nlohmann-json3-dev libsimdjson-dev libhowardhinnant-date-dev libcli11-dev
  librestinio-dev libasio-dev curl
  tzdata clang-format kcat python3-confluent-kafka openssl
  chromium
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
