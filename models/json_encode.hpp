#pragma once

#include "models/datetime.hpp"
#include "models/decode_error.hpp"
#include "models/json_writer.hpp"
#include "models/record.hpp"
#include "models/type_traits.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace faust::models {

template <class T> void json_encode(json_writer& w, const T& value);

/// Writes an untyped JSON value with Python's formatting.
void json_encode_dynamic(json_writer& w, const nlohmann::ordered_json& value);

template <class T> void json_encode(json_writer& w, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    w.boolean(value);
  } else if constexpr (is_integer_v<T> && std::is_signed_v<T>) {
    w.integer(static_cast<int64_t>(value));
  } else if constexpr (is_integer_v<T>) {
    w.unsigned_integer(static_cast<uint64_t>(value));
  } else if constexpr (std::is_floating_point_v<T>) {
    w.floating(static_cast<double>(value));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    w.string(std::string_view(value));
  } else if constexpr (std::is_same_v<T, datetime>) {
    w.string(to_iso8601(value));
  } else if constexpr (std::is_same_v<T, nlohmann::ordered_json>) {
    json_encode_dynamic(w, value);
  } else if constexpr (is_std_optional<T>::value) {
    if (value)
      json_encode(w, *value);
    else
      w.null();
  } else if constexpr (is_sequence<T>::value) {
    w.begin_array();
    bool first = true;
    for (const auto& item : value) {
      if (!first)
        w.separator();
      first = false;
      json_encode(w, item);
    }
    w.end_array();
  } else if constexpr (is_string_map<T>::value) {
    w.begin_object();
    bool first = true;
    for (const auto& [k, v] : value) {
      if (!first)
        w.separator();
      first = false;
      w.key(k);
      json_encode(w, v);
    }
    w.end_object();
  } else if constexpr (record<T>) {
    w.begin_object();
    bool first = true;
    for_each_field<T>([&](const auto& field) {
      if (!first)
        w.separator();
      first = false;
      w.key(field.name);
      json_encode(w, value.*(field.member));
    });
    if constexpr (record_options<T>::include_metadata) {
      if (!first)
        w.separator();
      w.key("__faust");
      w.begin_object();
      w.key("ns");
      w.string(record_traits<T>::ns);
      w.end_object();
    }
    w.end_object();
  } else {
    static_assert(sizeof(T) == 0,
                  "no JSON encoding for this type: declare it with "
                  "FAUST_RECORD or use a supported field type");
  }
}

/// Encodes `value` as Faust's json codec does.
template <class T> std::string to_json(const T& value) {
  std::string out;
  json_writer w(out);
  json_encode(w, value);
  return out;
}

} // namespace faust::models
