#pragma once

#include "models/datetime.hpp"
#include "models/decode_error.hpp"
#include "models/record.hpp"
#include "models/type_traits.hpp"

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include <string>

/// The `msgpack` object format: the same representation as Faust's JSON
/// (records as maps of field name to value, with the `__faust` key; datetimes
/// as ISO-8601 strings), packed with msgpack-c. This is what Faust's manual
/// msgpack codec (`msgpack.packb(record.to_representation())`) produces.
namespace faust::models {

using msgpack_packer = msgpack::packer<msgpack::sbuffer>;

void msgpack_encode_dynamic(msgpack_packer& pk,
                            const nlohmann::ordered_json& v);
nlohmann::ordered_json msgpack_to_dynamic(const msgpack::object& obj);
std::string_view msgpack_kind(const msgpack::object& obj);

template <class T> void msgpack_encode(msgpack_packer& pk, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    value ? pk.pack_true() : pk.pack_false();
  } else if constexpr (is_integer_v<T> || std::is_floating_point_v<T>) {
    pk.pack(value);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    std::string_view s(value);
    pk.pack_str(static_cast<uint32_t>(s.size()));
    pk.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
  } else if constexpr (std::is_same_v<T, datetime>) {
    msgpack_encode(pk, to_iso8601(value));
  } else if constexpr (std::is_same_v<T, nlohmann::ordered_json>) {
    msgpack_encode_dynamic(pk, value);
  } else if constexpr (is_std_optional<T>::value) {
    if (value)
      msgpack_encode(pk, *value);
    else
      pk.pack_nil();
  } else if constexpr (is_sequence<T>::value) {
    pk.pack_array(static_cast<uint32_t>(value.size()));
    for (const auto& item : value)
      msgpack_encode(pk, item);
  } else if constexpr (is_string_map<T>::value) {
    pk.pack_map(static_cast<uint32_t>(value.size()));
    for (const auto& [k, v] : value) {
      msgpack_encode(pk, k);
      msgpack_encode(pk, v);
    }
  } else if constexpr (record<T>) {
    constexpr auto n = std::tuple_size_v<decltype(record_traits<T>::fields())>;
    constexpr bool meta = record_options<T>::include_metadata;
    pk.pack_map(static_cast<uint32_t>(n + (meta ? 1 : 0)));
    for_each_field<T>([&](const auto& field) {
      msgpack_encode(pk, field.name);
      msgpack_encode(pk, value.*(field.member));
    });
    if constexpr (meta) {
      msgpack_encode(pk, std::string_view("__faust"));
      pk.pack_map(1);
      msgpack_encode(pk, std::string_view("ns"));
      msgpack_encode(pk, record_traits<T>::ns);
    }
  } else {
    static_assert(sizeof(T) == 0, "no msgpack encoding for this type");
  }
}

[[noreturn]] inline void throw_msgpack_type_error(const std::string& path,
                                                  const std::string& expected,
                                                  const msgpack::object& got) {
  throw decode_error(path + ": expected " + expected + ", got " +
                     std::string(msgpack_kind(got)));
}

template <class T>
void msgpack_decode(const msgpack::object& obj, T& out,
                    const std::string& path) {
  using msgpack::type::object_type;
  if constexpr (std::is_same_v<T, bool>) {
    if (obj.type != object_type::BOOLEAN)
      throw_msgpack_type_error(path, "bool", obj);
    out = obj.via.boolean;
  } else if constexpr (is_integer_v<T>) {
    if (obj.type == object_type::POSITIVE_INTEGER)
      out = static_cast<T>(obj.via.u64);
    else if (obj.type == object_type::NEGATIVE_INTEGER)
      out = static_cast<T>(obj.via.i64);
    else
      throw_msgpack_type_error(path, "int", obj);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (obj.type == object_type::FLOAT32 || obj.type == object_type::FLOAT64)
      out = static_cast<T>(obj.via.f64);
    else if (obj.type == object_type::POSITIVE_INTEGER)
      out = static_cast<T>(obj.via.u64);
    else if (obj.type == object_type::NEGATIVE_INTEGER)
      out = static_cast<T>(obj.via.i64);
    else
      throw_msgpack_type_error(path, "float", obj);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (obj.type != object_type::STR && obj.type != object_type::BIN)
      throw_msgpack_type_error(path, "str", obj);
    out.assign(obj.via.str.ptr, obj.via.str.size);
  } else if constexpr (std::is_same_v<T, datetime>) {
    std::string s;
    msgpack_decode(obj, s, path);
    auto parsed = parse_iso8601(s);
    if (!parsed)
      throw decode_error(path + ": expected ISO-8601 datetime, got \"" + s +
                         "\"");
    out = *parsed;
  } else if constexpr (std::is_same_v<T, nlohmann::ordered_json>) {
    out = msgpack_to_dynamic(obj);
  } else if constexpr (is_std_optional<T>::value) {
    if (obj.type == object_type::NIL) {
      out.reset();
    } else {
      typename T::value_type v{};
      msgpack_decode(obj, v, path);
      out = std::move(v);
    }
  } else if constexpr (is_sequence<T>::value) {
    if (obj.type != object_type::ARRAY)
      throw_msgpack_type_error(path, type_label<T>(), obj);
    out.clear();
    for (uint32_t i = 0; i < obj.via.array.size; ++i) {
      typename T::value_type v{};
      msgpack_decode(obj.via.array.ptr[i], v,
                     path + "[" + std::to_string(i) + "]");
      if constexpr (requires { out.push_back(std::move(v)); })
        out.push_back(std::move(v));
      else
        out.insert(std::move(v));
    }
  } else if constexpr (is_string_map<T>::value || record<T>) {
    if (obj.type != object_type::MAP)
      throw_msgpack_type_error(path, type_label<T>(), obj);
    if constexpr (is_string_map<T>::value)
      out.clear();
    uint64_t seen = 0;
    for (uint32_t i = 0; i < obj.via.map.size; ++i) {
      auto& kv = obj.via.map.ptr[i];
      if (kv.key.type != object_type::STR)
        throw_msgpack_type_error(path + " key", "str", kv.key);
      std::string_view key(kv.key.via.str.ptr, kv.key.via.str.size);
      if constexpr (is_string_map<T>::value) {
        typename T::mapped_type v{};
        msgpack_decode(kv.val, v, path + "." + std::string(key));
        out.emplace(std::string(key), std::move(v));
      } else {
        size_t idx = 0;
        for_each_field<T>([&](const auto& field) {
          if (field.name == key) {
            seen |= uint64_t{1} << idx;
            using member_t =
                typename std::decay_t<decltype(field)>::member_type;
            if (!is_std_optional<member_t>::value &&
                field_is_optional<T, member_t>(field.name) &&
                kv.val.type == object_type::NIL)
              return;
            msgpack_decode(kv.val, out.*(field.member),
                           path + "." + std::string(field.name));
          }
          ++idx;
        });
      }
    }
    if constexpr (record<T>) {
      size_t idx = 0;
      for_each_field<T>([&](const auto& field) {
        using member_t = typename std::decay_t<decltype(field)>::member_type;
        if (!(seen >> idx & 1) && !field_is_optional<T, member_t>(field.name))
          throw decode_error(path + "." + std::string(field.name) +
                             ": missing required field (" +
                             type_label<member_t>() + ")");
        ++idx;
      });
    }
  } else {
    static_assert(sizeof(T) == 0, "no msgpack decoding for this type");
  }
}

template <class T> std::string to_msgpack(const T& value) {
  msgpack::sbuffer buf;
  msgpack_packer pk(buf);
  msgpack_encode(pk, value);
  return std::string(buf.data(), buf.size());
}

template <class T> T from_msgpack(std::string_view bytes) {
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(bytes.data(), bytes.size());
  } catch (const std::exception& e) {
    throw decode_error(std::string("malformed msgpack: ") + e.what());
  }
  T out{};
  msgpack_decode(handle.get(), out, type_label<T>());
  return out;
}

} // namespace faust::models
