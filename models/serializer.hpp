#pragma once

#include "models/codec.hpp"
#include "models/decode_error.hpp"
#include "models/json_format.hpp"
#include "models/msgpack_format.hpp"
#include "models/type_traits.hpp"

#include <concepts>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace faust::models {

/// How a typed value first becomes bytes, before any bytes codecs run.
enum class object_format { raw, json, msgpack, protobuf };

std::string_view to_string(object_format f);

/// A parsed serializer name such as `"json|binary"`: one object format, then
/// bytes codecs in order. Parse once (when a topic is declared), then use it
/// per record: `dumps`/`loads` below do no name lookups.
struct serializer_spec {
  std::string name = "raw";
  object_format format = object_format::raw;
  std::vector<codec_ptr> transforms;

  /// Runs the bytes codecs left to right.
  std::string encode_bytes(std::string bytes) const;
  /// Runs the bytes codecs right to left; returns `bytes` itself (no copy)
  /// when there are none.
  std::string_view decode_bytes(std::string_view bytes,
                                std::string& scratch) const;
};

/// Faust's `codecs` registry: bytes codecs by name (`binary` built in, users
/// may add their own) plus the object formats `raw`, `json`, `msgpack` and
/// `protobuf`. Owned by an app; not thread-safe while codecs are registered,
/// which happens before the app starts.
class codec_registry {
public:
  codec_registry();

  /// Adds or replaces the bytes codec `name` (Faust's `codecs.register`).
  void register_codec(std::string name, codec_ptr c);

  /// Returns the codec called `name`, or null.
  codec_ptr find(std::string_view name) const;

  /// Parses `"json|binary"`. Throws `std::invalid_argument` naming an unknown
  /// codec, or an object format that is not first in the chain.
  serializer_spec parse(std::string_view spec) const;

private:
  std::map<std::string, codec_ptr, std::less<>> codecs_;
};

/// True for protobuf messages (`google::protobuf::MessageLite` and its
/// generated subclasses), recognised by their interface so that this header
/// does not need Protobuf's.
template <class T>
constexpr bool is_protobuf_v = requires(const T& msg, T& target) {
  { msg.SerializeAsString() } -> std::same_as<std::string>;
  {
    target.ParseFromArray(static_cast<const void*>(nullptr), 0)
    } -> std::same_as<bool>;
  { msg.GetTypeName() } -> std::convertible_to<std::string>;
};

template <class T>
constexpr bool is_bytes_like_v =
    std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>;

template <class T> std::string no_object_codec(const serializer_spec& spec) {
  if constexpr (is_protobuf_v<T>)
    return "protobuf messages need the protobuf serializer, not '" + spec.name +
           "'";
  else
    return "serializer '" + spec.name + "' cannot encode this C++ type " +
           "(declare it with FAUST_RECORD, or send it through a channel)";
}

/// Encodes `value` with `spec` (object format, then bytes codecs).
template <class T>
std::string dumps(const serializer_spec& spec, const T& value) {
  std::string bytes;
  switch (spec.format) {
  case object_format::raw:
    if constexpr (std::is_convertible_v<const T&, std::string_view>)
      bytes.assign(std::string_view(value));
    else
      throw encode_error("serializer '" + spec.name +
                         "' needs bytes or str, "
                         "got " +
                         type_label<T>() + ": use json or msgpack");
    break;
  case object_format::json:
    if constexpr (is_codable_v<T>)
      bytes = to_json(value);
    else
      throw encode_error(no_object_codec<T>(spec));
    break;
  case object_format::msgpack:
    if constexpr (is_codable_v<T>)
      bytes = to_msgpack(value);
    else
      throw encode_error(no_object_codec<T>(spec));
    break;
  case object_format::protobuf:
    if constexpr (is_protobuf_v<T>)
      bytes = value.SerializeAsString();
    else
      throw encode_error("serializer 'protobuf' needs a protobuf message, "
                         "got " +
                         type_label<T>());
    break;
  }
  return spec.transforms.empty() ? bytes : spec.encode_bytes(std::move(bytes));
}

/// Decodes `bytes` with `spec`. Throws `decode_error` with context.
template <class T>
T loads(const serializer_spec& spec, std::string_view bytes) {
  std::string scratch;
  auto payload = spec.decode_bytes(bytes, scratch);
  switch (spec.format) {
  case object_format::raw:
    if constexpr (std::is_same_v<T, std::string>)
      return std::string(payload);
    else
      throw decode_error("serializer '" + spec.name +
                         "' yields bytes, but the topic expects " +
                         type_label<T>());
  case object_format::json:
    if constexpr (is_codable_v<T>)
      return from_json<T>(payload);
    else
      throw decode_error(no_object_codec<T>(spec));
  case object_format::msgpack:
    if constexpr (is_codable_v<T>)
      return from_msgpack<T>(payload);
    else
      throw decode_error(no_object_codec<T>(spec));
  case object_format::protobuf:
    if constexpr (is_protobuf_v<T>) {
      T out;
      if (!out.ParseFromArray(payload.data(), static_cast<int>(payload.size())))
        throw decode_error("malformed protobuf for " + out.GetTypeName());
      return out;
    } else {
      throw decode_error("serializer 'protobuf' needs a protobuf message "
                         "type, the topic expects " +
                         type_label<T>());
    }
  }
  throw decode_error("unknown object format");
}

} // namespace faust::models
