#pragma once

#include "models/preprocessor.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>

/// Records: plain structs made known to faust-cpp once, like Faust's
/// `faust.Record`. Declare the struct, then at global namespace scope:
///
///     struct Point { int64_t x = 0; int64_t y = 0; };
///     FAUST_RECORD(Point, x, y);                  // namespace "Point"
///     FAUST_RECORD_NS(Point, "t2.Point", x, y);   // or an explicit namespace
///
/// The record then encodes as Faust does (`{"x": 1, "y": 2, "__faust":
/// {"ns": "t2.Point"}}`, fields in declaration order) with every codec, and
/// decodes Faust's output. Fields are required, except:
///  - `std::optional<T>` fields, which may be missing or null;
///  - fields named in `FAUST_RECORD_DEFAULTS(Point, y)`, which keep their
///    member initializer when missing (Faust's `y: int = 0`).
/// Field types: bool, integers, floating point, std::string, datetimes
/// (`std::chrono::system_clock::time_point`, ISO-8601 on the wire), other
/// records, `std::vector`/`std::set` of those, `std::map<std::string, ...>`,
/// `std::optional` of those, and `nlohmann::ordered_json` for untyped values.
namespace faust::models {

/// Describes one field: its wire name and the member it maps to.
template <class Record, class Member> struct field_descriptor {
  using record_type = Record;
  using member_type = Member;
  std::string_view name;
  Member Record::*member;
};

/// Specialized by FAUST_RECORD; the primary template marks "not a record".
template <class T> struct record_traits;

/// Specialized by FAUST_RECORD_DEFAULTS: fields that keep their default.
template <class T> struct record_defaults {
  static constexpr std::array<std::string_view, 0> names{};
};

/// Per-record options; specialize to change them (Faust's class options).
template <class T> struct record_options {
  /// Write the `"__faust": {"ns": ...}` key (Faust's include_metadata).
  static constexpr bool include_metadata = true;
};

template <class T>
concept record = requires {
  record_traits<T>::fields();
};

template <class T> struct is_std_optional : std::false_type {};
template <class T> struct is_std_optional<std::optional<T>> : std::true_type {};

/// True when a missing field called `name` is acceptable.
template <record T, class Member>
constexpr bool field_is_optional(std::string_view name) {
  if constexpr (is_std_optional<Member>::value)
    return true;
  for (auto n : record_defaults<T>::names)
    if (n == name)
      return true;
  return false;
}

/// The unqualified type name (`ns::Point` -> `Point`), as Faust's
/// FieldDescriptor.ident uses it (`Point.x`).
constexpr std::string_view short_type_name(std::string_view qualified) {
  auto pos = qualified.rfind("::");
  return pos == std::string_view::npos ? qualified : qualified.substr(pos + 2);
}

/// Calls `fn(descriptor)` for every field of `T`, in declaration order.
template <record T, class Fn> constexpr void for_each_field(Fn&& fn) {
  std::apply([&](const auto&... fields) { (fn(fields), ...); },
             record_traits<T>::fields());
}

/// Returns the wire name of the field `member` points to, or an empty view.
template <record T, class Member>
std::string_view field_name_of(Member T::*member) {
  std::string_view found;
  for_each_field<T>([&](const auto& f) {
    if constexpr (std::is_same_v<
                      typename std::decay_t<decltype(f)>::member_type, Member>)
      if (f.member == member)
        found = f.name;
  });
  return found;
}

} // namespace faust::models

#define FAUST_RECORD_FIELD_(Type, name)                                        \
  ::faust::models::field_descriptor<Type, decltype(Type::name)> {              \
#name, &Type::name                                                         \
  }

/// Declares `Type` a record with namespace `Ns` and the listed fields.
#define FAUST_RECORD_NS(Type, Ns, ...)                                         \
  template <> struct faust::models::record_traits<Type> {                      \
    static constexpr std::string_view type_name =                              \
        ::faust::models::short_type_name(#Type);                               \
    static constexpr std::string_view ns = Ns;                                 \
    static constexpr auto fields() {                                           \
      return std::make_tuple(                                                  \
          FAUST_PP_FOR_EACH(FAUST_RECORD_FIELD_, Type, __VA_ARGS__));          \
    }                                                                          \
  }

/// Declares `Type` a record whose namespace is its name as written.
#define FAUST_RECORD(Type, ...) FAUST_RECORD_NS(Type, #Type, __VA_ARGS__)

#define FAUST_RECORD_NAME_(Type, name) std::string_view(#name)

/// Lists fields of `Type` that keep their member initializer when missing.
#define FAUST_RECORD_DEFAULTS(Type, ...)                                       \
  template <> struct faust::models::record_defaults<Type> {                    \
    static constexpr std::array names{                                         \
        FAUST_PP_FOR_EACH(FAUST_RECORD_NAME_, Type, __VA_ARGS__)};             \
  }
