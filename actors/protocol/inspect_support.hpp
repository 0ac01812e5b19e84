#pragma once

#include "models/error.hpp"
#include "models/message.hpp"

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>

#include <optional>
#include <type_traits>

/// CAF 0.17 serializes `caf::optional` but not `std::optional`: these
/// overloads give `std::optional` the same wire format (a presence flag,
/// then the value), so protocol messages can use the standard type.
namespace caf {

template <class Inspector, class T>
typename std::enable_if<Inspector::reads_state,
                        typename Inspector::result_type>::type
inspect(Inspector& f, std::optional<T>& x) {
  return x ? f(true, *x) : f(false);
}

template <class Inspector, class T>
typename std::enable_if<Inspector::writes_state,
                        typename Inspector::result_type>::type
inspect(Inspector& f, std::optional<T>& x) {
  bool present = false;
  auto load_value = [&]() -> caf::error {
    if (!present) {
      x.reset();
      return caf::none;
    }
    T value{};
    if (auto err = f(value))
      return err;
    x = std::move(value);
    return caf::none;
  };
  return f(present, caf::meta::load_callback(load_value));
}

} // namespace caf

namespace faust::models {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, topic_partition& x) {
  return f(caf::meta::type_name("faust.topic_partition"), x.topic, x.partition);
}

} // namespace faust::models
