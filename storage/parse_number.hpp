#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace faust::storage {

/// `s` as a number of type T if all of it is one (no sign prefix `+`, no
/// surrounding space), else empty.
template <class T> std::optional<T> parse_number(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

} // namespace faust::storage
