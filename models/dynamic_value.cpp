// Untyped values (`nlohmann::ordered_json`) through the format-neutral
// reader and writer: one implementation serves JSON and msgpack.
#include "models/value_decode.hpp"
#include "models/value_encode.hpp"

#include <nlohmann/json.hpp>

namespace faust::models {

void write_dynamic(value_writer& w, const nlohmann::ordered_json& value) {
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
  case vt::binary: {
    auto& b = value.get_binary();
    w.binary({reinterpret_cast<const char*>(b.data()), b.size()});
    return;
  }
  case vt::array:
    w.begin_array(value.size());
    for (auto& item : value)
      write_dynamic(w, item);
    w.end_array();
    return;
  case vt::object:
    w.begin_object(value.size());
    for (auto& [k, v] : value.items()) {
      w.key(k);
      write_dynamic(w, v);
    }
    w.end_object();
    return;
  }
}

void read_dynamic(const value_reader& r, value_ref v,
                  nlohmann::ordered_json& out) {
  switch (r.kind(v)) {
  case value_kind::null:
  case value_kind::extension: // no JSON form (msgpack-c's old reading too)
    out = nullptr;
    return;
  case value_kind::boolean: {
    bool b = false;
    r.get(v, b);
    out = b;
    return;
  }
  case value_kind::integer: {
    int64_t i = 0;
    uint64_t u = 0;
    if (r.get(v, i))
      out = i;
    else if (r.get(v, u))
      out = u;
    return;
  }
  case value_kind::floating: {
    double d = 0;
    r.get(v, d);
    out = d;
    return;
  }
  case value_kind::string:
  case value_kind::bytes: {
    std::string_view s;
    r.get(v, s);
    out = std::string(s);
    return;
  }
  case value_kind::array:
    out = nlohmann::ordered_json::array();
    r.for_each_element(v, [&](value_ref item) {
      nlohmann::ordered_json element;
      read_dynamic(r, item, element);
      out.push_back(std::move(element));
    });
    return;
  case value_kind::object:
    out = nlohmann::ordered_json::object();
    r.for_each_member(v, [&](std::string_view key, value_ref item) {
      read_dynamic(r, item, out[std::string(key)]);
    });
    return;
  }
}

} // namespace faust::models
