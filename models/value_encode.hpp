#pragma once

#include "models/datetime.hpp"
#include "models/record.hpp"
#include "models/type_traits.hpp"
#include "models/value_writer.hpp"

#include <string>
#include <string_view>
#include <tuple>

namespace faust::models {

/// Writes an untyped JSON value (defined with the dynamic-value support, so
/// nlohmann's full header stays out of this one).
void write_dynamic(value_writer& w, const nlohmann::ordered_json& value);

/// Writes a typed value as Faust represents it: records as objects of their
/// fields in declaration order plus `"__faust": {"ns": ...}`, datetimes as
/// ISO-8601 strings. The format is the writer's (JSON text, msgpack).
template <class T> void write_value(value_writer& w, const T& value) {
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
    write_dynamic(w, value);
  } else if constexpr (is_std_optional<T>::value) {
    if (value)
      write_value(w, *value);
    else
      w.null();
  } else if constexpr (is_sequence<T>::value) {
    w.begin_array(value.size());
    for (const auto& item : value)
      write_value(w, item);
    w.end_array();
  } else if constexpr (is_string_map<T>::value) {
    w.begin_object(value.size());
    for (const auto& [k, v] : value) {
      w.key(k);
      write_value(w, v);
    }
    w.end_object();
  } else if constexpr (record<T>) {
    constexpr size_t fields =
        std::tuple_size_v<decltype(record_traits<T>::fields())>;
    constexpr bool meta = record_options<T>::include_metadata;
    w.begin_object(fields + (meta ? 1 : 0));
    for_each_field<T>([&](const auto& field) {
      w.key(field.name);
      write_value(w, value.*(field.member));
    });
    if constexpr (meta) {
      w.key("__faust");
      w.begin_object(1);
      w.key("ns");
      w.string(record_traits<T>::ns);
      w.end_object();
    }
    w.end_object();
  } else {
    static_assert(sizeof(T) == 0,
                  "no encoding for this type: declare it with FAUST_RECORD "
                  "or use a supported field type");
  }
}

/// Encodes `value` with a format's writer (`Writer(std::string& out)`).
template <class Writer, class T> std::string encode_with(const T& value) {
  std::string out;
  Writer w(out);
  write_value(w, value);
  return out;
}

} // namespace faust::models
