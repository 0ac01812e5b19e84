#pragma once

#include "models/type_traits.hpp"
#include "models/value_decode.hpp"
#include "models/value_encode.hpp"
#include "models/value_writer.hpp"

#include <string>
#include <string_view>

/// The `msgpack` object format: the same representation as Faust's JSON
/// (records as maps of field name to value, with the `__faust` key; datetimes
/// as ISO-8601 strings), in msgpack's smallest encodings, as Python's
/// `msgpack.packb(record.to_representation())` writes it (floats as
/// float64, Python's only float). Unpacking uses msgpack-c, in
/// msgpack_format.cpp.
namespace faust::models {

/// Writes values as msgpack bytes.
class msgpack_value_writer final : public value_writer {
public:
  explicit msgpack_value_writer(std::string& out) : out_(out) {}

  void null() override;
  void boolean(bool b) override;
  void integer(int64_t i) override;
  void unsigned_integer(uint64_t u) override;
  void floating(double d) override;
  void string(std::string_view s) override;
  void binary(std::string_view b) override;
  void begin_array(size_t size) override;
  void end_array() override {}
  void begin_object(size_t size) override;
  void key(std::string_view name) override { string(name); }
  void end_object() override {}

private:
  std::string& out_;
};

/// Unpacks `bytes` and calls `visit` with the root while it lives. Throws
/// `decode_error` ("malformed msgpack: ...").
void read_msgpack(std::string_view bytes, document_visitor visit);

/// Encodes `value` as msgpack (Faust's representation).
template <class T> std::string to_msgpack(const T& value) {
  return encode_with<msgpack_value_writer>(value);
}

/// Unpacks msgpack bytes into `T`. Throws `decode_error` naming the field
/// and the expected type.
template <class T> T from_msgpack(std::string_view bytes) {
  return decode_with<T>(read_msgpack, bytes);
}

} // namespace faust::models
