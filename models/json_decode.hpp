#pragma once

#include "models/datetime.hpp"
#include "models/decode_error.hpp"
#include "models/record.hpp"
#include "models/type_traits.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <bitset>
#include <limits>
#include <string>
#include <string_view>

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

/// Names a JSON value's kind in Python's vocabulary (`str`, `int`, ...).
std::string_view json_kind(simdjson::dom::element el);

[[noreturn]] void throw_type_error(const decode_path& path,
                                   const std::string& expected,
                                   simdjson::dom::element got);

/// Converts a parsed JSON value to an untyped nlohmann::ordered_json.
nlohmann::ordered_json to_dynamic(simdjson::dom::element el);

template <class T>
void json_decode(simdjson::dom::element el, T& out, const decode_path& path);

template <record T>
void json_decode_record(simdjson::dom::element el, T& out,
                        const decode_path& path) {
  simdjson::dom::object obj;
  if (el.get(obj))
    throw_type_error(path, type_label<T>(), el);
  constexpr size_t field_count =
      std::tuple_size_v<decltype(record_traits<T>::fields())>;
  static_assert(field_count <= 64, "records have at most 64 fields");
  std::bitset<64> seen;
  // Faust writes fields in declaration order, so the expected field is tried
  // first and the full search only runs for reordered or unknown keys.
  size_t expected = 0;
  for (auto [key, value] : obj) {
    bool matched = false;
    size_t idx = 0;
    auto try_field = [&](const auto& field, size_t i) {
      if (matched || field.name != key)
        return;
      matched = true;
      seen.set(i);
      expected = i + 1;
      decode_path child{&path, field.name};
      using member_t = typename std::decay_t<decltype(field)>::member_type;
      if constexpr (is_std_optional<member_t>::value) {
        if (value.is_null()) {
          (out.*(field.member)).reset();
          return;
        }
      } else if (field_is_optional<T, member_t>(field.name) &&
                 value.is_null()) {
        return; // Faust: an explicit None means "use the default".
      }
      json_decode(value, out.*(field.member), child);
    };
    idx = 0;
    std::apply(
        [&](const auto&... fields) {
          // Fast path: the field at the expected position.
          size_t i = 0;
          ((i++ == expected ? try_field(fields, i - 1) : void()), ...);
          i = 0;
          (try_field(fields, i++), ...);
        },
        record_traits<T>::fields());
    (void)idx;
  }
  size_t i = 0;
  for_each_field<T>([&](const auto& field) {
    using member_t = typename std::decay_t<decltype(field)>::member_type;
    if (!seen.test(i) && !field_is_optional<T, member_t>(field.name)) {
      decode_path child{&path, field.name};
      throw decode_error(child.render() + ": missing required field (" +
                         type_label<member_t>() + ")");
    }
    ++i;
  });
}

template <class T>
void json_decode(simdjson::dom::element el, T& out, const decode_path& path) {
  if constexpr (std::is_same_v<T, bool>) {
    if (el.get(out))
      throw_type_error(path, "bool", el);
  } else if constexpr (is_integer_v<T>) {
    int64_t v;
    if (el.get(v)) {
      uint64_t u;
      if (!el.get(u) && u <= std::numeric_limits<T>::max()) {
        out = static_cast<T>(u);
        return;
      }
      throw_type_error(path, "int", el);
    }
    if (v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        (v > 0 && static_cast<uint64_t>(v) > std::numeric_limits<T>::max()))
      throw decode_error(path.render() + ": int " + std::to_string(v) +
                         " out of range");
    out = static_cast<T>(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    double d;
    if (el.get(d))
      throw_type_error(path, "float", el);
    out = static_cast<T>(d);
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::string_view s;
    if (el.get(s))
      throw_type_error(path, "str", el);
    out.assign(s);
  } else if constexpr (std::is_same_v<T, datetime>) {
    std::string_view s;
    if (el.get(s))
      throw_type_error(path, "datetime (ISO-8601 str)", el);
    auto parsed = parse_iso8601(s);
    if (!parsed)
      throw decode_error(path.render() +
                         ": expected ISO-8601 datetime, got \"" +
                         std::string(s) + "\"");
    out = *parsed;
  } else if constexpr (std::is_same_v<T, nlohmann::ordered_json>) {
    out = to_dynamic(el);
  } else if constexpr (is_std_optional<T>::value) {
    if (el.is_null()) {
      out.reset();
    } else {
      typename T::value_type v{};
      json_decode(el, v, path);
      out = std::move(v);
    }
  } else if constexpr (is_sequence<T>::value) {
    simdjson::dom::array arr;
    if (el.get(arr))
      throw_type_error(path, type_label<T>(), el);
    out.clear();
    size_t i = 0;
    for (auto item : arr) {
      typename T::value_type v{};
      json_decode(item, v, decode_path{&path, {}, i++, true});
      if constexpr (requires { out.push_back(std::move(v)); })
        out.push_back(std::move(v));
      else
        out.insert(std::move(v));
    }
  } else if constexpr (is_string_map<T>::value) {
    simdjson::dom::object obj;
    if (el.get(obj))
      throw_type_error(path, type_label<T>(), el);
    out.clear();
    for (auto [key, value] : obj) {
      typename T::mapped_type v{};
      json_decode(value, v, decode_path{&path, key});
      out.emplace(std::string(key), std::move(v));
    }
  } else if constexpr (record<T>) {
    json_decode_record(el, out, path);
  } else {
    static_assert(sizeof(T) == 0, "no JSON decoding for this type: declare it "
                                  "with FAUST_RECORD");
  }
}

/// Parses JSON text into `T`. Throws `decode_error` naming the field and
/// the expected type. `parser` is reused across calls (it owns buffers).
template <class T>
T from_json(simdjson::dom::parser& parser, std::string_view text) {
  simdjson::dom::element root;
  if (auto err = parser.parse(text.data(), text.size()).get(root))
    throw decode_error(std::string("malformed JSON: ") +
                       simdjson::error_message(err));
  T out{};
  std::string label = type_label<T>();
  json_decode(root, out, decode_path{nullptr, label});
  return out;
}

/// Convenience overload with a parser of its own (slower in loops).
template <class T> T from_json(std::string_view text) {
  simdjson::dom::parser parser;
  return from_json<T>(parser, text);
}

} // namespace faust::models
