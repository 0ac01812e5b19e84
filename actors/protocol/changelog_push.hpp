#pragma once

#include "actors/protocol/packed_bytes.hpp"
#include "models/message.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faust::protocol {

/// Changelog records of one table partition, delivered, pushed by the
/// worker that owns the partition to the workers that stand by for it
/// (changelog replication by message passing; the changelog topic stays
/// the source of truth). The records travel packed in one string, as
/// `agent_casts` do; `add` and `each` write and read them.
struct changelog_push {
  /// The changelog topic and partition.
  std::string topic;
  int32_t partition = 0;
  /// The changelog offset of the record these follow (without
  /// transactions, `first - 1`); -1: unknown (the first push after the
  /// active took the partition over, or after a record failed).
  int64_t after = -1;
  /// The offsets of the first and last record.
  int64_t first = 0;
  int64_t last = 0;
  /// The incarnation of the worker that pushed them.
  std::string from;
  uint32_t count = 0;
  /// Per record: offset (i64), timestamp (i64), key, value (each: length
  /// u32, ~0 for none, then bytes), header count (u32), headers (name,
  /// value); little-endian.
  std::string packed;

  void add(const models::message& m) {
    using namespace packing;
    put64(packed, static_cast<uint64_t>(m.offset));
    put64(packed, static_cast<uint64_t>(m.timestamp_ms));
    put_bytes(packed, m.key ? std::optional<std::string_view>(m.key->view())
                            : std::nullopt);
    put_bytes(packed, m.value ? std::optional<std::string_view>(m.value->view())
                              : std::nullopt);
    put32(packed, static_cast<uint32_t>(m.headers.size()));
    for (auto& h : m.headers) {
      put_bytes(packed, std::string_view(h.key));
      put_bytes(packed, std::string_view(h.value));
    }
    ++count;
  }

  /// Calls `f(message)` for each record (topic and partition set; key and
  /// value copied); false if `packed` is malformed.
  template <class F> bool each(F&& f) const {
    packing::reader in{packed};
    for (uint32_t i = 0; i < count; ++i) {
      models::message m;
      m.topic = topic;
      m.partition = partition;
      uint64_t offset = 0, stamp = 0;
      uint32_t headers = 0;
      std::optional<std::string_view> key, value;
      if (!in.get64(offset) || !in.get64(stamp) || !in.get_bytes(key) ||
          !in.get_bytes(value) || !in.get32(headers))
        return false;
      m.offset = static_cast<int64_t>(offset);
      m.timestamp_ms = static_cast<int64_t>(stamp);
      if (key)
        m.key.emplace(std::string(*key));
      if (value)
        m.value.emplace(std::string(*value));
      for (uint32_t h = 0; h < headers; ++h) {
        std::optional<std::string_view> name, bytes;
        if (!in.get_bytes(name) || !in.get_bytes(bytes) || !name || !bytes)
          return false;
        m.headers.push_back({std::string(*name), std::string(*bytes)});
      }
      f(std::move(m));
    }
    return in.done();
  }

  bool operator==(const changelog_push&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, changelog_push& x) {
  return f(caf::meta::type_name("faust.changelog_push"), x.topic, x.partition,
           x.after, x.first, x.last, x.from, x.count, x.packed);
}

} // namespace faust::protocol
