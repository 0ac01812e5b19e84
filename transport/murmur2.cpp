#include "transport/murmur2.hpp"

namespace faust::transport {

int32_t murmur2(std::string_view key) noexcept {
  // Kafka computes in signed 32-bit Java ints; unsigned arithmetic gives the
  // same bits without undefined overflow.
  constexpr uint32_t seed = 0x9747b28cU;
  constexpr uint32_t m = 0x5bd1e995U;
  constexpr int r = 24;
  auto length = static_cast<uint32_t>(key.size());
  uint32_t h = seed ^ length;
  auto byte = [&](size_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(key[i]));
  };
  size_t blocks = key.size() / 4;
  for (size_t i = 0; i < blocks; ++i) {
    size_t j = i * 4;
    uint32_t k =
        byte(j) | byte(j + 1) << 8 | byte(j + 2) << 16 | byte(j + 3) << 24;
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  size_t tail = blocks * 4;
  switch (key.size() % 4) {
  case 3:
    h ^= byte(tail + 2) << 16;
    [[fallthrough]];
  case 2:
    h ^= byte(tail + 1) << 8;
    [[fallthrough]];
  case 1:
    h ^= byte(tail);
    h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t partition_for_key(std::string_view key, int32_t partitions) noexcept {
  auto positive = static_cast<uint32_t>(murmur2(key)) & 0x7fffffffU;
  return static_cast<int32_t>(positive % static_cast<uint32_t>(partitions));
}

} // namespace faust::transport
