#include "models/msgpack_format.hpp"

#include "models/json_writer.hpp"

#include <msgpack.hpp>

#include <limits>

namespace faust::models {

// --- writing (msgpack's smallest encodings, as msgpack-c and Python's
// msgpack choose them) -----------------------------------------------------

namespace {

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
    out += static_cast<char>((v >> shift) & 0xff);
}

void put_tagged(std::string& out, uint8_t tag, uint64_t v, int bytes) {
  out += static_cast<char>(tag);
  put_be(out, v, bytes);
}

/// A length prefix: the fixed form below `fix_limit`, then 8/16/32-bit
/// forms (`tag8` 0 when the format has no 8-bit form).
void put_length(std::string& out, size_t n, uint8_t fix_tag, size_t fix_limit,
                uint8_t tag8, uint8_t tag16, uint8_t tag32) {
  if (n < fix_limit)
    out += static_cast<char>(fix_tag | n);
  else if (tag8 != 0 && n < 256)
    put_tagged(out, tag8, n, 1);
  else if (n < 65536)
    put_tagged(out, tag16, n, 2);
  else
    put_tagged(out, tag32, n, 4);
}

} // namespace

void msgpack_value_writer::null() {
  out_ += static_cast<char>(0xc0);
}

void msgpack_value_writer::boolean(bool b) {
  out_ += static_cast<char>(b ? 0xc3 : 0xc2);
}

void msgpack_value_writer::integer(int64_t i) {
  if (i >= 0) {
    unsigned_integer(static_cast<uint64_t>(i));
  } else if (i >= -32) {
    out_ += static_cast<char>(static_cast<uint8_t>(i)); // negative fixint
  } else if (i >= std::numeric_limits<int8_t>::min()) {
    put_tagged(out_, 0xd0, static_cast<uint8_t>(i), 1);
  } else if (i >= std::numeric_limits<int16_t>::min()) {
    put_tagged(out_, 0xd1, static_cast<uint16_t>(i), 2);
  } else if (i >= std::numeric_limits<int32_t>::min()) {
    put_tagged(out_, 0xd2, static_cast<uint32_t>(i), 4);
  } else {
    put_tagged(out_, 0xd3, static_cast<uint64_t>(i), 8);
  }
}

void msgpack_value_writer::unsigned_integer(uint64_t u) {
  if (u < 128)
    out_ += static_cast<char>(u);
  else if (u < 256)
    put_tagged(out_, 0xcc, u, 1);
  else if (u < 65536)
    put_tagged(out_, 0xcd, u, 2);
  else if (u <= std::numeric_limits<uint32_t>::max())
    put_tagged(out_, 0xce, u, 4);
  else
    put_tagged(out_, 0xcf, u, 8);
}

void msgpack_value_writer::floating(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  put_tagged(out_, 0xcb, bits, 8);
}

void msgpack_value_writer::string(std::string_view s) {
  put_length(out_, s.size(), 0xa0, 32, 0xd9, 0xda, 0xdb);
  out_ += s;
}

void msgpack_value_writer::binary(std::string_view b) {
  put_length(out_, b.size(), 0xc4, 0, 0xc4, 0xc5, 0xc6);
  out_ += b;
}

void msgpack_value_writer::begin_array(size_t size) {
  put_length(out_, size, 0x90, 16, 0, 0xdc, 0xdd);
}

void msgpack_value_writer::begin_object(size_t size) {
  put_length(out_, size, 0x80, 16, 0, 0xde, 0xdf);
}

// --- reading (msgpack-c's unpacker) ----------------------------------------

namespace {

using msgpack::type::object_type;

const msgpack::object& obj(value_ref v) {
  return *v.unwrap<const msgpack::object*>();
}
value_ref ref(const msgpack::object& o) {
  return value_ref::wrap(&o);
}

class msgpack_reader final : public value_reader {
public:
  value_kind kind(value_ref v) const override {
    switch (obj(v).type) {
    case object_type::NIL:
      return value_kind::null;
    case object_type::BOOLEAN:
      return value_kind::boolean;
    case object_type::POSITIVE_INTEGER:
    case object_type::NEGATIVE_INTEGER:
      return value_kind::integer;
    case object_type::FLOAT32:
    case object_type::FLOAT64:
      return value_kind::floating;
    case object_type::STR:
      return value_kind::string;
    case object_type::BIN:
      return value_kind::bytes;
    case object_type::EXT:
      return value_kind::extension;
    case object_type::ARRAY:
      return value_kind::array;
    case object_type::MAP:
      return value_kind::object;
    }
    return value_kind::null;
  }
  bool get(value_ref v, bool& out) const override {
    auto& o = obj(v);
    if (o.type != object_type::BOOLEAN)
      return false;
    out = o.via.boolean;
    return true;
  }
  bool get(value_ref v, int64_t& out) const override {
    auto& o = obj(v);
    if (o.type == object_type::NEGATIVE_INTEGER) {
      out = o.via.i64;
      return true;
    }
    if (o.type == object_type::POSITIVE_INTEGER &&
        o.via.u64 <=
            static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      out = static_cast<int64_t>(o.via.u64);
      return true;
    }
    return false;
  }
  bool get(value_ref v, uint64_t& out) const override {
    auto& o = obj(v);
    if (o.type != object_type::POSITIVE_INTEGER)
      return false;
    out = o.via.u64;
    return true;
  }
  bool get(value_ref v, double& out) const override {
    auto& o = obj(v);
    switch (o.type) {
    case object_type::FLOAT32:
    case object_type::FLOAT64:
      out = o.via.f64;
      return true;
    case object_type::POSITIVE_INTEGER:
      out = static_cast<double>(o.via.u64);
      return true;
    case object_type::NEGATIVE_INTEGER:
      out = static_cast<double>(o.via.i64);
      return true;
    default:
      return false;
    }
  }
  bool get(value_ref v, std::string_view& out) const override {
    auto& o = obj(v);
    if (o.type == object_type::STR) {
      out = {o.via.str.ptr, o.via.str.size};
      return true;
    }
    if (o.type == object_type::BIN) {
      out = {o.via.bin.ptr, o.via.bin.size};
      return true;
    }
    return false;
  }
  bool for_each_element(value_ref v,
                        function_ref<void(value_ref)> fn) const override {
    auto& o = obj(v);
    if (o.type != object_type::ARRAY)
      return false;
    for (uint32_t i = 0; i < o.via.array.size; ++i)
      fn(ref(o.via.array.ptr[i]));
    return true;
  }
  bool for_each_member(
      value_ref v,
      function_ref<void(std::string_view, value_ref)> fn) const override {
    auto& o = obj(v);
    if (o.type != object_type::MAP)
      return false;
    std::string text; // a key that is not a string, as JSON text
    for (uint32_t i = 0; i < o.via.map.size; ++i) {
      auto& kv = o.via.map.ptr[i];
      fn(member_key(kv.key, text), ref(kv.val));
    }
    return true;
  }
  bool find_member(value_ref v, std::string_view key,
                   value_ref& out) const override {
    auto& o = obj(v);
    if (o.type != object_type::MAP)
      return false;
    for (uint32_t i = 0; i < o.via.map.size; ++i) {
      auto& kv = o.via.map.ptr[i];
      if (kv.key.type == object_type::STR &&
          std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == key) {
        out = ref(kv.val);
        return true;
      }
    }
    return false;
  }

private:
  /// A map key as text: strings as they are; numbers, booleans and nil as
  /// Python's `json.dumps` writes such keys (`1`, `true`, `null`).
  static std::string_view member_key(const msgpack::object& key,
                                     std::string& text) {
    switch (key.type) {
    case object_type::STR:
      return {key.via.str.ptr, key.via.str.size};
    case object_type::POSITIVE_INTEGER:
      return text = std::to_string(key.via.u64);
    case object_type::NEGATIVE_INTEGER:
      return text = std::to_string(key.via.i64);
    case object_type::BOOLEAN:
      return key.via.boolean ? "true" : "false";
    case object_type::NIL:
      return "null";
    case object_type::FLOAT32:
    case object_type::FLOAT64:
      return text = python_float_repr(key.via.f64);
    default:
      throw decode_error("msgpack map key: expected str, got " +
                         std::string(python_kind_name(kind_of(key))));
    }
  }
  static value_kind kind_of(const msgpack::object& o) {
    return msgpack_reader{}.kind(ref(o));
  }
};

const msgpack_reader reader{};

} // namespace

void read_msgpack(std::string_view bytes, document_visitor visit) {
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(bytes.data(), bytes.size());
  } catch (const std::exception& e) {
    throw decode_error(std::string("malformed msgpack: ") + e.what());
  }
  visit(reader, ref(handle.get()));
}

} // namespace faust::models
