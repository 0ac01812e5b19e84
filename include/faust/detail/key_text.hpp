#pragma once

#include "models/json_format.hpp"
#include "models/serializer.hpp"
#include "models/type_traits.hpp"

#include <charconv>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace faust::internal {

/// A table key from its text form, as a web view takes it from a URL's path
/// (Faust's `/table/{name}/{key}/`): a string key is the text itself, a
/// number is its digits, anything else (a record, a list) is JSON text.
/// Throws `std::invalid_argument` naming the expected type.
template <class K> K key_from_text(std::string_view text) {
  if constexpr (std::is_same_v<K, std::string>) {
    return std::string(text);
  } else if constexpr (std::is_same_v<K, bool>) {
    if (text == "true" || text == "1")
      return true;
    if (text == "false" || text == "0")
      return false;
    throw std::invalid_argument("'" + std::string(text) +
                                "' is not a bool (true or false)");
  } else if constexpr (std::is_integral_v<K> || std::is_floating_point_v<K>) {
    K out{};
    auto [end, err] =
        std::from_chars(text.data(), text.data() + text.size(), out);
    if (err != std::errc{} || end != text.data() + text.size())
      throw std::invalid_argument("'" + std::string(text) + "' is not " +
                                  models::type_label<K>());
    return out;
  } else if constexpr (!models::is_codable_v<K>) {
    throw std::invalid_argument("keys of type " + models::type_label<K>() +
                                " have no text form");
  } else {
    try {
      return models::from_json<K>(text);
    } catch (const std::exception& e) {
      throw std::invalid_argument("'" + std::string(text) + "' is not " +
                                  models::type_label<K>() + " as JSON (" +
                                  e.what() + ")");
    }
  }
}

/// A stored value (as the table's value serializer wrote it) as JSON, for
/// the web views: a value with a JSON form as that, anything else (raw
/// bytes, protobuf) as a JSON string of its bytes. Throws what decoding
/// throws.
template <class V>
std::string value_json(const models::serializer_spec& spec,
                       std::string_view bytes) {
  if constexpr (models::is_codable_v<V>) {
    return models::to_json(models::loads<V>(spec, bytes));
  } else {
    return models::to_json(std::string(bytes));
  }
}

} // namespace faust::internal
