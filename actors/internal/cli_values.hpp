#pragma once

#include "models/serializer.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace faust::internal {

/// The record bytes the command line writes for `text` (`send`, `ask`):
/// JSON topics get `text` as is when it is JSON, else as a JSON string (as
/// Faust's send serializes a plain string); other formats take the bytes of
/// `text`. Byte codecs (`|binary`, ...) apply after.
inline std::string encode_cli_value(const models::serializer_spec& spec,
                                    const std::string& text) {
  if (spec.format != models::object_format::json ||
      nlohmann::json::accept(text))
    return spec.encode_bytes(text);
  return spec.encode_bytes(nlohmann::json(text).dump());
}

} // namespace faust::internal
