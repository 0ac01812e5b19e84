#pragma once

#include "models/datetime.hpp"
#include "models/decode_error.hpp"
#include "models/record.hpp"
#include "models/type_traits.hpp"
#include "models/value_reader.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>

namespace faust::models {

/// Where in a document a value sits, for error messages (`Order.items[2]`).
/// Lives on the stack of the decoder; rendered only when decoding fails.
struct decode_path {
  const decode_path* parent = nullptr;
  std::string_view name;
  size_t index = 0;
  bool is_index = false;

  std::string render() const;
};

/// Throws `decode_error`: "<path>: expected <expected>, got <kind of v>".
[[noreturn]] void throw_type_error(const decode_path& path,
                                   const std::string& expected,
                                   const value_reader& r, value_ref v);
/// Throws `decode_error` for an integer outside `T`'s range.
[[noreturn]] void throw_out_of_range(const decode_path& path,
                                     std::string_view value);
/// Throws `decode_error` for a string that is not an ISO-8601 datetime.
[[noreturn]] void throw_bad_datetime(const decode_path& path,
                                     std::string_view text);
/// Throws `decode_error` for a required field the document lacks.
[[noreturn]] void throw_missing_field(const decode_path& path,
                                      const std::string& type);

/// Reads an untyped JSON value (defined with the dynamic-value support).
void read_dynamic(const value_reader& r, value_ref v,
                  nlohmann::ordered_json& out);

template <class T>
void read_value(const value_reader& r, value_ref v, T& out,
                const decode_path& path);

template <record T>
void read_record(const value_reader& r, value_ref v, T& out,
                 const decode_path& path) {
  constexpr size_t field_count =
      std::tuple_size_v<decltype(record_traits<T>::fields())>;
  static_assert(field_count <= 64, "records have at most 64 fields");
  uint64_t seen = 0; // bit i: field i was present
  // Faust writes fields in declaration order, so the expected field is tried
  // first and the full search only runs for reordered or unknown keys.
  size_t expected = 0;
  bool is_object =
      r.for_each_member(v, [&](std::string_view key, value_ref value) {
        bool matched = false;
        auto try_field = [&](const auto& field, size_t i) {
          if (matched || field.name != key)
            return;
          matched = true;
          seen |= uint64_t{1} << i;
          expected = i + 1;
          decode_path child{&path, field.name};
          using member_t = typename std::decay_t<decltype(field)>::member_type;
          if constexpr (is_std_optional<member_t>::value) {
            if (r.kind(value) == value_kind::null) {
              (out.*(field.member)).reset();
              return;
            }
          } else if (field_is_optional<T, member_t>(field.name) &&
                     r.kind(value) == value_kind::null) {
            return; // Faust: an explicit None means "use the default".
          }
          read_value(r, value, out.*(field.member), child);
        };
        std::apply(
            [&](const auto&... fields) {
              size_t i = 0;
              ((i++ == expected ? try_field(fields, i - 1) : void()), ...);
              i = 0;
              (try_field(fields, i++), ...);
            },
            record_traits<T>::fields());
      });
  if (!is_object)
    throw_type_error(path, type_label<T>(), r, v);
  size_t i = 0;
  for_each_field<T>([&](const auto& field) {
    using member_t = typename std::decay_t<decltype(field)>::member_type;
    if (!(seen >> i & 1) && !field_is_optional<T, member_t>(field.name))
      throw_missing_field(decode_path{&path, field.name},
                          type_label<member_t>());
    ++i;
  });
}

/// Reads `v` into `out` as Faust's representation of `T` (see
/// `write_value`). Throws `decode_error` naming the path and the expected
/// type.
template <class T>
void read_value(const value_reader& r, value_ref v, T& out,
                const decode_path& path) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!r.get(v, out))
      throw_type_error(path, "bool", r, v);
  } else if constexpr (is_integer_v<T>) {
    int64_t i;
    if (r.get(v, i)) {
      if (i < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
          (i > 0 && static_cast<uint64_t>(i) > std::numeric_limits<T>::max()))
        throw_out_of_range(path, std::to_string(i));
      out = static_cast<T>(i);
      return;
    }
    uint64_t u;
    if (!r.get(v, u))
      throw_type_error(path, "int", r, v);
    if (u > std::numeric_limits<T>::max())
      throw_out_of_range(path, std::to_string(u));
    out = static_cast<T>(u);
  } else if constexpr (std::is_floating_point_v<T>) {
    double d;
    if (!r.get(v, d))
      throw_type_error(path, "float", r, v);
    out = static_cast<T>(d);
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::string_view s;
    if (!r.get(v, s))
      throw_type_error(path, "str", r, v);
    out.assign(s);
  } else if constexpr (std::is_same_v<T, datetime>) {
    std::string_view s;
    if (!r.get(v, s))
      throw_type_error(path, "datetime (ISO-8601 str)", r, v);
    auto parsed = parse_iso8601(s);
    if (!parsed)
      throw_bad_datetime(path, s);
    out = *parsed;
  } else if constexpr (std::is_same_v<T, nlohmann::ordered_json>) {
    read_dynamic(r, v, out);
  } else if constexpr (is_std_optional<T>::value) {
    if (r.kind(v) == value_kind::null) {
      out.reset();
    } else {
      typename T::value_type inner{};
      read_value(r, v, inner, path);
      out = std::move(inner);
    }
  } else if constexpr (is_sequence<T>::value) {
    out.clear();
    size_t i = 0;
    bool is_array = r.for_each_element(v, [&](value_ref item) {
      typename T::value_type element{};
      read_value(r, item, element, decode_path{&path, {}, i++, true});
      if constexpr (requires { out.push_back(std::move(element)); })
        out.push_back(std::move(element));
      else
        out.insert(std::move(element));
    });
    if (!is_array)
      throw_type_error(path, type_label<T>(), r, v);
  } else if constexpr (is_string_map<T>::value) {
    out.clear();
    bool is_object =
        r.for_each_member(v, [&](std::string_view key, value_ref value) {
          typename T::mapped_type mapped{};
          read_value(r, value, mapped, decode_path{&path, key});
          out.emplace(std::string(key), std::move(mapped));
        });
    if (!is_object)
      throw_type_error(path, type_label<T>(), r, v);
  } else if constexpr (record<T>) {
    read_record(r, v, out, path);
  } else {
    static_assert(sizeof(T) == 0, "no decoding for this type: declare it "
                                  "with FAUST_RECORD");
  }
}

/// Decodes `bytes` into `T` with a format's parser (`read_json`,
/// `read_msgpack`); the root's path is `T`'s name.
template <class T>
T decode_with(void (*parse)(std::string_view, document_visitor),
              std::string_view bytes) {
  T out{};
  parse(bytes, [&](const value_reader& r, value_ref root) {
    static const std::string label = type_label<T>();
    read_value(r, root, out, decode_path{nullptr, label});
  });
  return out;
}

} // namespace faust::models
