#pragma once

#include "models/function_ref.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace faust::models {

/// The kinds of value a parsed document holds (JSON's, plus msgpack's
/// bytes and extension types).
enum class value_kind {
  null,
  boolean,
  integer,
  floating,
  string,
  bytes,
  extension,
  array,
  object
};

/// Names a kind in Python's vocabulary (`str`, `int`, `list`, ...), as
/// decode errors show it.
std::string_view python_kind_name(value_kind kind);

/// One value inside a parsed document. Opaque: only the reader that handed
/// it out can look inside, and only while its document lives.
class value_ref {
public:
  value_ref() = default;

  /// For readers: wraps a reader's own trivially copyable handle.
  template <class Handle> static value_ref wrap(const Handle& h) {
    static_assert(std::is_trivially_copyable_v<Handle> &&
                  sizeof(Handle) <= sizeof(storage_));
    value_ref out;
    std::memcpy(out.storage_, &h, sizeof(Handle));
    return out;
  }
  template <class Handle> Handle unwrap() const {
    static_assert(std::is_trivially_copyable_v<Handle> &&
                  sizeof(Handle) <= sizeof(storage_));
    Handle h;
    std::memcpy(&h, storage_, sizeof(Handle));
    return h;
  }

private:
  alignas(8) unsigned char storage_[16]{};
};

/// Reads values of a parsed document (JSON, msgpack). Typed decoding
/// (`read_value` in models/value_decode.hpp) works through this interface,
/// so the parsers stay out of every header. Each getter returns false when
/// the value has another kind (or does not fit), leaving `out` unchanged.
class value_reader {
public:
  virtual ~value_reader() = default;

  virtual value_kind kind(value_ref v) const = 0;
  virtual bool get(value_ref v, bool& out) const = 0;
  /// Integers that fit; floats are not integers.
  virtual bool get(value_ref v, int64_t& out) const = 0;
  virtual bool get(value_ref v, uint64_t& out) const = 0;
  /// Floats, and integers converted.
  virtual bool get(value_ref v, double& out) const = 0;
  /// Strings (and msgpack bytes); the view lives as long as the document.
  virtual bool get(value_ref v, std::string_view& out) const = 0;
  /// Calls `fn` for each element of an array; false if `v` is not one.
  virtual bool for_each_element(value_ref v,
                                function_ref<void(value_ref)> fn) const = 0;
  /// Calls `fn(key, value)` for each member of an object (map) in document
  /// order; false if `v` is not one. msgpack keys that are not strings come
  /// as their JSON text (`1`, `true`), as Python's `json.dumps` would write
  /// them; container keys are a `decode_error`.
  virtual bool
  for_each_member(value_ref v,
                  function_ref<void(std::string_view, value_ref)> fn) const = 0;
  /// Finds the member `key` of an object; false if absent or not an object.
  virtual bool find_member(value_ref v, std::string_view key,
                           value_ref& out) const = 0;
};

/// Called with a parsed document's reader and its root value (by
/// `read_json`, `read_msgpack`), while the document lives.
using document_visitor = function_ref<void(const value_reader&, value_ref)>;

} // namespace faust::models
