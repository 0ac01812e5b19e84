#pragma once

#include "models/function_ref.hpp"
#include "models/json_writer.hpp"
#include "models/type_traits.hpp"
#include "models/value_decode.hpp"
#include "models/value_encode.hpp"
#include "models/value_reader.hpp"
#include "models/value_writer.hpp"

#include <string>
#include <string_view>

/// The `json` object format: Faust's JSON text (Python's `json.dumps`
/// formatting, see json_writer). The parser (simdjson) stays in
/// json_format.cpp.
namespace faust::models {

/// Writes values as JSON text, placing the separators itself.
class json_value_writer final : public value_writer {
public:
  explicit json_value_writer(std::string& out) : text_(out) {}

  void null() override;
  void boolean(bool b) override;
  void integer(int64_t i) override;
  void unsigned_integer(uint64_t u) override;
  void floating(double d) override;
  void string(std::string_view s) override;
  void binary(std::string_view b) override;
  void begin_array(size_t size) override;
  void end_array() override;
  void begin_object(size_t size) override;
  void key(std::string_view name) override;
  void end_object() override;

private:
  void before_value();

  json_writer text_;
  bool need_separator_ = false;
};

/// Parses `text` and calls `visit` with its root while the document lives.
/// Throws `decode_error` ("malformed JSON: ...") for text that is not JSON.
void read_json(std::string_view text, document_visitor visit);

/// Like `read_json`, but returns false (without calling `visit`) for text
/// that is not JSON.
bool try_read_json(std::string_view text, document_visitor visit);

/// Encodes `value` as Faust's json codec does.
template <class T> std::string to_json(const T& value) {
  return encode_with<json_value_writer>(value);
}

/// Parses JSON text into `T`. Throws `decode_error` naming the field and
/// the expected type.
template <class T> T from_json(std::string_view text) {
  return decode_with<T>(read_json, text);
}

} // namespace faust::models
