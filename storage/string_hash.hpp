#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace faust::storage {

/// Hashes strings and string views alike, so maps keyed by `std::string`
/// are searched with a `std::string_view` without a copy.
struct string_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

} // namespace faust::storage
