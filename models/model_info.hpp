#pragma once

#include "models/record.hpp"
#include "models/type_traits.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faust::models {

/// One field of a record, as the `model` command lists it.
struct field_info {
  std::string name;
  /// Faust's type name: `int`, `str`, `List[Point]`, ...
  std::string type;
  /// False for optional fields and fields that keep their default.
  bool required = true;
};

/// A record type an app uses, as the `models` and `model` commands list it.
struct model_info {
  /// The namespace Faust writes in `__faust.ns` (`examples.adding.Add`).
  std::string name;
  std::vector<field_info> fields;
};

/// Models by name.
using model_registry = std::map<std::string, model_info>;

template <class T> void collect_models(model_registry& out);

namespace detail {

template <class M> void collect_member_models(model_registry& out) {
  if constexpr (record<M>)
    collect_models<M>(out);
  else if constexpr (is_std_optional<M>::value || is_sequence<M>::value)
    collect_member_models<typename M::value_type>(out);
  else if constexpr (is_string_map<M>::value)
    collect_member_models<typename M::mapped_type>(out);
}

} // namespace detail

/// Adds `T` (when it is a record) and every record type its fields use.
template <class T> void collect_models(model_registry& out) {
  if constexpr (record<T>) {
    std::string name(record_traits<T>::ns);
    if (out.count(name))
      return;
    model_info info{name, {}};
    for_each_field<T>([&](const auto& f) {
      using member = typename std::decay_t<decltype(f)>::member_type;
      info.fields.push_back({std::string(f.name), type_label<member>(),
                             !field_is_optional<T, member>(f.name)});
    });
    out.emplace(name, std::move(info));
    for_each_field<T>([&](const auto& f) {
      detail::collect_member_models<
          typename std::decay_t<decltype(f)>::member_type>(out);
    });
  } else {
    detail::collect_member_models<T>(out);
  }
}

} // namespace faust::models
