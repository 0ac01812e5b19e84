#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faust::models {

/// Writes JSON text byte-identical to Python's `json.dumps` with its default
/// arguments, which is what Faust 1.5.5 emits: separators `", "` and `": "`,
/// `ensure_ascii=True` (non-ASCII as lowercase `\uXXXX`), floats in Python's
/// `repr` form (`1.0`, `1e-05`, `1e+16`), and `NaN`/`Infinity` literals.
/// The caller is responsible for structure (a `,` before each later item);
/// `json_encode` in models/json_encode.hpp drives it for typed values.
class json_writer {
public:
  explicit json_writer(std::string& out) : out_(out) {}

  void null() { out_ += "null"; }
  void boolean(bool b) { out_ += b ? "true" : "false"; }
  void integer(int64_t i);
  void unsigned_integer(uint64_t u);
  void floating(double d);
  void string(std::string_view s);
  void begin_object() { out_ += '{'; }
  void end_object() { out_ += '}'; }
  void begin_array() { out_ += '['; }
  void end_array() { out_ += ']'; }
  /// Writes `"name": `; call `separator()` first for every key but the first.
  void key(std::string_view name) {
    string(name);
    out_ += ": ";
  }
  void separator() { out_ += ", "; }
  /// Appends already-encoded JSON text unchanged.
  void raw(std::string_view json) { out_ += json; }

  std::string& buffer() { return out_; }

private:
  std::string& out_;
};

/// Python's `repr(float)`: the shortest round-tripping digits, fixed notation
/// for decimal exponents in [-4, 16), scientific otherwise.
std::string python_float_repr(double d);

} // namespace faust::models
