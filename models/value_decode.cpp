#include "models/value_decode.hpp"

#include <vector>

namespace faust::models {

std::string_view python_kind_name(value_kind kind) {
  switch (kind) {
  case value_kind::null:
    return "null";
  case value_kind::boolean:
    return "bool";
  case value_kind::integer:
    return "int";
  case value_kind::floating:
    return "float";
  case value_kind::string:
    return "str";
  case value_kind::bytes:
    return "bytes";
  case value_kind::extension:
    return "ext";
  case value_kind::array:
    return "list";
  case value_kind::object:
    return "dict";
  }
  return "unknown";
}

std::string decode_path::render() const {
  std::vector<const decode_path*> chain;
  for (auto p = this; p != nullptr; p = p->parent)
    chain.push_back(p);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    auto& p = **it;
    if (p.is_index) {
      out += '[' + std::to_string(p.index) + ']';
    } else {
      if (!out.empty())
        out += '.';
      out += p.name;
    }
  }
  return out;
}

void throw_type_error(const decode_path& path, const std::string& expected,
                      const value_reader& r, value_ref v) {
  throw decode_error(path.render() + ": expected " + expected + ", got " +
                     std::string(python_kind_name(r.kind(v))));
}

void throw_out_of_range(const decode_path& path, std::string_view value) {
  throw decode_error(path.render() + ": int " + std::string(value) +
                     " out of range");
}

void throw_bad_datetime(const decode_path& path, std::string_view text) {
  throw decode_error(path.render() + ": expected ISO-8601 datetime, got \"" +
                     std::string(text) + "\"");
}

void throw_missing_field(const decode_path& path, const std::string& type) {
  throw decode_error(path.render() + ": missing required field (" + type + ")");
}

} // namespace faust::models
