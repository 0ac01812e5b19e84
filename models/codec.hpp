#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace faust::models {

/// A bytes-to-bytes codec, the unit of Faust's `codecs` registry that can be
/// chained with `|` (`"json|binary"`: JSON, then base64). `dumps` runs left
/// to right along a chain, `loads` right to left. Object formats (json,
/// msgpack, protobuf, raw) turn typed values into bytes and always come first
/// in a chain; see serializer.hpp.
class codec {
public:
  virtual ~codec() = default;
  virtual std::string dumps(std::string_view bytes) const = 0;
  /// Throws `decode_error` for input it cannot decode.
  virtual std::string loads(std::string_view bytes) const = 0;
};

using codec_ptr = std::shared_ptr<const codec>;

/// Faust's `binary` codec: standard base64 (`+/` alphabet, `=` padding).
class base64_codec final : public codec {
public:
  std::string dumps(std::string_view bytes) const override;
  std::string loads(std::string_view bytes) const override;
};

} // namespace faust::models
