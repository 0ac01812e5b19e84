#pragma once

#include "models/function_ref.hpp"
#include "models/json_writer.hpp"
#include "models/type_traits.hpp"
#include "models/value_decode.hpp"
#include "models/value_encode.hpp"
#include "models/value_reader.hpp"
#include "models/value_writer.hpp"

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

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

/// True if `s` is printable ASCII without `"` or `\\`: JSON (and Python's
/// `json.dumps`) writes it between quotes unchanged.
inline bool json_plain_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
      return false;
  return true;
}

/// Integers written as digits (not `bool` and not the character types).
template <class T>
inline constexpr bool json_plain_integral =
    std::is_integral_v<T> && !std::is_same_v<T, bool> &&
    !std::is_same_v<T, char> && !std::is_same_v<T, wchar_t> &&
    !std::is_same_v<T, char8_t> && !std::is_same_v<T, char16_t> &&
    !std::is_same_v<T, char32_t>;

/// `text` as an integer if it is exactly a JSON integer (`-?(0|[1-9]\d*)`)
/// that fits `T`.
template <class T> std::optional<T> json_plain_integer(std::string_view text) {
  auto digits = text.substr(!text.empty() && text.front() == '-' ? 1 : 0);
  if (digits.empty() || (digits.front() == '0' && digits.size() > 1))
    return std::nullopt;
  T v{};
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (err != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return v;
}

/// Parses `text` and calls `visit` with its root while the document lives.
/// Throws `decode_error` ("malformed JSON: ...") for text that is not JSON.
void read_json(std::string_view text, document_visitor visit);

/// Like `read_json`, but returns false (without calling `visit`) for text
/// that is not JSON.
bool try_read_json(std::string_view text, document_visitor visit);

/// Encodes `value` as Faust's json codec does.
template <class T> std::string to_json(const T& value) {
  // Table keys and counts: no writer needed for what is written as is.
  if constexpr (json_plain_integral<T>) {
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    return std::string(digits, end);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (json_plain_ascii(value))
      return '"' + value + '"';
  }
  return encode_with<json_value_writer>(value);
}

/// Parses JSON text into `T`. Throws `decode_error` naming the field and
/// the expected type.
template <class T> T from_json(std::string_view text) {
  // A plain integer or a string without escapes reads without the parser;
  // anything else (and every malformed text) goes through it.
  if constexpr (json_plain_integral<T>) {
    if (auto v = json_plain_integer<T>(text))
      return *v;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"' &&
        json_plain_ascii(text.substr(1, text.size() - 2)))
      return std::string(text.substr(1, text.size() - 2));
  }
  return decode_with<T>(read_json, text);
}

} // namespace faust::models
