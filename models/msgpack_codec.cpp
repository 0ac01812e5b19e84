#include "models/msgpack_codec.hpp"

namespace faust::models {

std::string_view msgpack_kind(const msgpack::object& obj) {
  using msgpack::type::object_type;
  switch (obj.type) {
  case object_type::NIL:
    return "null";
  case object_type::BOOLEAN:
    return "bool";
  case object_type::POSITIVE_INTEGER:
  case object_type::NEGATIVE_INTEGER:
    return "int";
  case object_type::FLOAT32:
  case object_type::FLOAT64:
    return "float";
  case object_type::STR:
    return "str";
  case object_type::BIN:
    return "bytes";
  case object_type::ARRAY:
    return "list";
  case object_type::MAP:
    return "dict";
  default:
    return "ext";
  }
}

void msgpack_encode_dynamic(msgpack_packer& pk,
                            const nlohmann::ordered_json& v) {
  using vt = nlohmann::ordered_json::value_t;
  switch (v.type()) {
  case vt::null:
  case vt::discarded:
    pk.pack_nil();
    return;
  case vt::boolean:
    msgpack_encode(pk, v.get<bool>());
    return;
  case vt::number_integer:
    pk.pack(v.get<int64_t>());
    return;
  case vt::number_unsigned:
    pk.pack(v.get<uint64_t>());
    return;
  case vt::number_float:
    pk.pack(v.get<double>());
    return;
  case vt::string:
    msgpack_encode(pk, v.get_ref<const std::string&>());
    return;
  case vt::binary: {
    auto& b = v.get_binary();
    pk.pack_bin(static_cast<uint32_t>(b.size()));
    pk.pack_bin_body(reinterpret_cast<const char*>(b.data()),
                     static_cast<uint32_t>(b.size()));
    return;
  }
  case vt::array:
    pk.pack_array(static_cast<uint32_t>(v.size()));
    for (auto& item : v)
      msgpack_encode_dynamic(pk, item);
    return;
  case vt::object:
    pk.pack_map(static_cast<uint32_t>(v.size()));
    for (auto& [k, item] : v.items()) {
      msgpack_encode(pk, k);
      msgpack_encode_dynamic(pk, item);
    }
    return;
  }
}

nlohmann::ordered_json msgpack_to_dynamic(const msgpack::object& obj) {
  using msgpack::type::object_type;
  switch (obj.type) {
  case object_type::NIL:
    return nullptr;
  case object_type::BOOLEAN:
    return obj.via.boolean;
  case object_type::POSITIVE_INTEGER:
    return obj.via.u64;
  case object_type::NEGATIVE_INTEGER:
    return obj.via.i64;
  case object_type::FLOAT32:
  case object_type::FLOAT64:
    return obj.via.f64;
  case object_type::STR:
  case object_type::BIN:
    return std::string(obj.via.str.ptr, obj.via.str.size);
  case object_type::ARRAY: {
    auto out = nlohmann::ordered_json::array();
    for (uint32_t i = 0; i < obj.via.array.size; ++i)
      out.push_back(msgpack_to_dynamic(obj.via.array.ptr[i]));
    return out;
  }
  case object_type::MAP: {
    auto out = nlohmann::ordered_json::object();
    for (uint32_t i = 0; i < obj.via.map.size; ++i) {
      auto& kv = obj.via.map.ptr[i];
      std::string key =
          kv.key.type == object_type::STR
              ? std::string(kv.key.via.str.ptr, kv.key.via.str.size)
              : msgpack_to_dynamic(kv.key).dump();
      out[key] = msgpack_to_dynamic(kv.val);
    }
    return out;
  }
  default:
    return nullptr;
  }
}

} // namespace faust::models
