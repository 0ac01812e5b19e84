#pragma once

#include "storage/window.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace faust::storage {

/// The key a windowed table stores and puts on its changelog for `key` in
/// window `range`, byte for byte as Faust's `json.dumps((key, (start,
/// end)))`: `[<key>, [<start>, <end>]]`, with the bounds in Python's float
/// repr (`10.0`, `19.9`). `key_json` is the table key already encoded as
/// JSON (a string key is `"page-1"`, quotes included).
std::string windowed_key(std::string_view key_json, const window_range& range);

/// The parts of a stored windowed key: the key's JSON text and the window.
struct windowed_key_parts {
  std::string_view key_json;
  window_range range;
};

/// Splits a key made by `windowed_key` (or by Faust); empty if `bytes` is
/// not a windowed key.
std::optional<windowed_key_parts> split_windowed_key(std::string_view bytes);

} // namespace faust::storage
