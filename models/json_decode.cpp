#include "models/json_decode.hpp"

#include "models/json_encode.hpp"

#include <vector>

namespace faust::models {

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

std::string_view json_kind(simdjson::dom::element el) {
  using simdjson::dom::element_type;
  switch (el.type()) {
  case element_type::ARRAY:
    return "list";
  case element_type::OBJECT:
    return "dict";
  case element_type::INT64:
  case element_type::UINT64:
    return "int";
  case element_type::DOUBLE:
    return "float";
  case element_type::STRING:
    return "str";
  case element_type::BOOL:
    return "bool";
  case element_type::NULL_VALUE:
    return "null";
  }
  return "unknown";
}

void throw_type_error(const decode_path& path, const std::string& expected,
                      simdjson::dom::element got) {
  throw decode_error(path.render() + ": expected " + expected + ", got " +
                     std::string(json_kind(got)));
}

nlohmann::ordered_json to_dynamic(simdjson::dom::element el) {
  using simdjson::dom::element_type;
  switch (el.type()) {
  case element_type::ARRAY: {
    auto out = nlohmann::ordered_json::array();
    simdjson::dom::array arr = el.get_array().value_unsafe();
    for (auto item : arr)
      out.push_back(to_dynamic(item));
    return out;
  }
  case element_type::OBJECT: {
    auto out = nlohmann::ordered_json::object();
    simdjson::dom::object obj = el.get_object().value_unsafe();
    for (auto [k, v] : obj)
      out[std::string(k)] = to_dynamic(v);
    return out;
  }
  case element_type::INT64:
    return el.get_int64().value_unsafe();
  case element_type::UINT64:
    return el.get_uint64().value_unsafe();
  case element_type::DOUBLE:
    return el.get_double().value_unsafe();
  case element_type::STRING:
    return std::string(el.get_string().value_unsafe());
  case element_type::BOOL:
    return el.get_bool().value_unsafe();
  case element_type::NULL_VALUE:
    return nullptr;
  }
  return nullptr;
}

void json_encode_dynamic(json_writer& w, const nlohmann::ordered_json& value) {
  using vt = nlohmann::ordered_json::value_t;
  switch (value.type()) {
  case vt::null:
  case vt::discarded:
    w.null();
    return;
  case vt::boolean:
    w.boolean(value.get<bool>());
    return;
  case vt::number_integer:
    w.integer(value.get<int64_t>());
    return;
  case vt::number_unsigned:
    w.unsigned_integer(value.get<uint64_t>());
    return;
  case vt::number_float:
    w.floating(value.get<double>());
    return;
  case vt::string:
    w.string(value.get_ref<const std::string&>());
    return;
  case vt::binary:
    w.string("<binary>");
    return;
  case vt::array: {
    w.begin_array();
    bool first = true;
    for (auto& item : value) {
      if (!first)
        w.separator();
      first = false;
      json_encode_dynamic(w, item);
    }
    w.end_array();
    return;
  }
  case vt::object: {
    w.begin_object();
    bool first = true;
    for (auto& [k, v] : value.items()) {
      if (!first)
        w.separator();
      first = false;
      w.key(k);
      json_encode_dynamic(w, v);
    }
    w.end_object();
    return;
  }
  }
}

} // namespace faust::models
