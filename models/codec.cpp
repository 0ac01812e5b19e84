#include "models/codec.hpp"

#include "models/decode_error.hpp"

#include <array>
#include <cstdint>

namespace faust::models {

namespace {

constexpr char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_reverse() {
  std::array<int8_t, 256> rev{};
  for (auto& r : rev)
    r = -1;
  for (int i = 0; i < 64; ++i)
    rev[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return rev;
}

constexpr auto reverse = make_reverse();

} // namespace

std::string base64_codec::dumps(std::string_view in) const {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(in[k]));
  };
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    out += alphabet[n >> 6 & 63];
    out += alphabet[n & 63];
  }
  if (auto rest = in.size() - i; rest > 0) {
    uint32_t n = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    out += rest == 2 ? alphabet[n >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_codec::loads(std::string_view in) const {
  std::string out;
  out.reserve(in.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\n' || c == '\r')
      continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    auto v = reverse[static_cast<unsigned char>(c)];
    if (v < 0 || pad > 0)
      throw decode_error("binary codec: invalid base64 character at byte " +
                         std::to_string(i));
    acc = acc << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(acc >> bits & 0xFF);
    }
  }
  if (pad > 2)
    throw decode_error("binary codec: too much base64 padding");
  return out;
}

} // namespace faust::models
