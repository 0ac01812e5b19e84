#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// The little-endian packing protocol messages use to carry many small
/// items in one string (CAF reads a string at once, a vector of strings
/// element by element): fixed-width integers, and byte strings as a u32
/// length (~0 for none) followed by the bytes.
namespace faust::protocol::packing {

inline constexpr uint32_t none = ~uint32_t{0};

inline void put32(std::string& out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i)
    b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 4);
}

inline void put64(std::string& out, uint64_t v) {
  put32(out, static_cast<uint32_t>(v));
  put32(out, static_cast<uint32_t>(v >> 32));
}

inline void put_bytes(std::string& out, std::optional<std::string_view> b) {
  if (!b) {
    put32(out, none);
    return;
  }
  put32(out, static_cast<uint32_t>(b->size()));
  out.append(*b);
}

/// Reads what `put*` wrote, from `at` on; each `get*` is false (and reads
/// nothing) if the input ends first.
struct reader {
  std::string_view in;
  size_t at = 0;

  bool get32(uint32_t& v) {
    if (in.size() - at < 4)
      return false;
    auto* p = reinterpret_cast<const unsigned char*>(in.data() + at);
    v = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
        uint32_t{p[3]} << 24;
    at += 4;
    return true;
  }
  bool get64(uint64_t& v) {
    uint32_t low = 0, high = 0;
    if (!get32(low) || !get32(high))
      return false;
    v = uint64_t{low} | uint64_t{high} << 32;
    return true;
  }
  /// `out` views the input (nullopt for none).
  bool get_bytes(std::optional<std::string_view>& out) {
    uint32_t n = 0;
    if (!get32(n))
      return false;
    if (n == none) {
      out.reset();
      return true;
    }
    if (in.size() - at < n)
      return false;
    out = in.substr(at, n);
    at += n;
    return true;
  }
  bool done() const { return at == in.size(); }
};

} // namespace faust::protocol::packing
