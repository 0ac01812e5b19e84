#pragma once

#include "models/datetime.hpp"
#include "models/record.hpp"

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace faust::models {

/// `std::set` and its kin, recognised by their interface (so that this
/// header needs no <set>): sorted containers whose keys are their values.
template <class T>
concept set_like = requires(T& t, const typename T::value_type& v) {
  typename T::key_compare;
  requires std::is_same_v<typename T::key_type, typename T::value_type>;
  t.insert(v);
  t.clear();
};

/// Encoded as a list: `std::vector`, `std::set`.
template <class T> struct is_sequence : std::bool_constant<set_like<T>> {};
template <class T, class A>
struct is_sequence<std::vector<T, A>> : std::true_type {};

template <class T> struct is_string_map : std::false_type {};
template <class V, class C, class A>
struct is_string_map<std::map<std::string, V, C, A>> : std::true_type {};
template <class V, class H, class E, class A>
struct is_string_map<std::unordered_map<std::string, V, H, E, A>>
    : std::true_type {};

template <class T>
constexpr bool is_integer_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

/// True for types the json and msgpack formats can encode: scalars,
/// strings, datetimes, untyped JSON, records, and optionals, sequences and
/// string maps of those. Other types (e.g. objects sent through in-process
/// channels) are rejected at run time, with an error naming the serializer.
template <class T> constexpr bool is_codable() {
  if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string> ||
                std::is_same_v<T, datetime> ||
                std::is_same_v<T, nlohmann::ordered_json> || record<T>)
    return true;
  else if constexpr (is_std_optional<T>::value || is_sequence<T>::value)
    return is_codable<typename T::value_type>();
  else if constexpr (is_string_map<T>::value)
    return is_codable<typename T::mapped_type>();
  else
    return false;
}
template <class T> constexpr bool is_codable_v = is_codable<T>();

/// The type name used in error messages, in Faust/Python vocabulary.
template <class T> std::string type_label() {
  if constexpr (std::is_same_v<T, bool>)
    return "bool";
  else if constexpr (is_integer_v<T>)
    return "int";
  else if constexpr (std::is_floating_point_v<T>)
    return "float";
  else if constexpr (std::is_same_v<T, std::string>)
    return "str";
  else if constexpr (std::is_same_v<T, datetime>)
    return "datetime";
  else if constexpr (is_std_optional<T>::value)
    return "Optional[" + type_label<typename T::value_type>() + "]";
  else if constexpr (is_sequence<T>::value)
    return "List[" + type_label<typename T::value_type>() + "]";
  else if constexpr (is_string_map<T>::value)
    return "Dict[str, " + type_label<typename T::mapped_type>() + "]";
  else if constexpr (record<T>)
    return std::string(record_traits<T>::type_name);
  else
    return "Any";
}

} // namespace faust::models
