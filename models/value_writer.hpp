#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace faust::models {

/// Receives a value as a sequence of events (JSON's structure; sizes given
/// up front for formats that need them, like msgpack). Typed encoding
/// (`write_value` in models/value_encode.hpp) drives it, so every format's
/// writer lives in its own source file. Inside an object, each member is a
/// `key` followed by one value.
class value_writer {
public:
  virtual ~value_writer() = default;

  virtual void null() = 0;
  virtual void boolean(bool b) = 0;
  virtual void integer(int64_t i) = 0;
  virtual void unsigned_integer(uint64_t u) = 0;
  virtual void floating(double d) = 0;
  virtual void string(std::string_view s) = 0;
  /// Opaque bytes (msgpack bin; JSON has none and writes a placeholder).
  virtual void binary(std::string_view b) = 0;
  virtual void begin_array(size_t size) = 0;
  virtual void end_array() = 0;
  virtual void begin_object(size_t size) = 0;
  virtual void key(std::string_view name) = 0;
  virtual void end_object() = 0;
};

} // namespace faust::models
