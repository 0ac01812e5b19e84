#pragma once

#include "actors/protocol/packed_bytes.hpp"
#include "actors/protocol/wire_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faust::protocol {

/// `agent.ask(key, value)` sent to the worker that owns the key's partition:
/// the same fields as Faust's `ReqRepRequest` plus where to process it.
/// Key and value are bytes as the agent's topic serializes them, so a node
/// need not know the user's types to route a request.
struct agent_request {
  std::string agent;
  std::optional<std::string> key;
  std::optional<std::string> value;
  /// The partition of the agent's topic the key maps to (-1: by key).
  int32_t partition = -1;
  std::string correlation_id;
  /// The reply topic (Faust's fallback when the direct reply cannot come).
  std::string reply_to;
  /// How long the caller waits, so a worker drops what nobody awaits.
  int64_t timeout_ms = 0;
  bool operator==(const agent_request&) const = default;
};

/// The answer to an `agent_request`: the agent's result as its reply
/// serializer encodes it, or why there is none (`not_owner` after a
/// rebalance, `timeout`, `agent_crashed`, ...).
struct agent_reply {
  std::string correlation_id;
  std::optional<std::string> value;
  std::optional<wire_error> failure;
  bool operator==(const agent_reply&) const = default;
};

/// `agent.cast(key, value)`: processed by the key's owner, no reply.
struct agent_cast {
  std::string agent;
  std::optional<std::string> key;
  std::optional<std::string> value;
  int32_t partition = -1;
  bool operator==(const agent_cast&) const = default;
};

/// Direct casts to one agent in one worker, sent together: CAF sends one
/// message per batch (a message per cast costs ~8x more on the wire's one
/// thread), and the casts travel packed in one string (CAF reads a vector
/// of strings element by element, a string at once; the receiver's records
/// view the string instead of copying it). Use `add` and `for_each`.
struct agent_casts {
  std::string agent;
  uint32_t count = 0;
  /// Per cast: partition (i32), key length (u32, ~0 for none), key, value
  /// length, value; little-endian.
  std::string packed;

  void add(int32_t partition, const std::optional<std::string>& key,
           const std::optional<std::string>& value) {
    using namespace packing;
    put32(packed, static_cast<uint32_t>(partition));
    put_bytes(packed,
              key ? std::optional<std::string_view>(*key) : std::nullopt);
    put_bytes(packed,
              value ? std::optional<std::string_view>(*value) : std::nullopt);
    ++count;
  }
  /// Calls `f(partition, key, value)` (string_view pointers into
  /// `packed`, null for none) for each of `count` casts; false if `packed`
  /// is malformed.
  template <class F>
  static bool each(std::string_view packed, uint32_t count, F&& f) {
    packing::reader in{packed};
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t partition = 0;
      std::optional<std::string_view> key, value;
      if (!in.get32(partition) || !in.get_bytes(key) || !in.get_bytes(value))
        return false;
      f(static_cast<int32_t>(partition), key ? &*key : nullptr,
        value ? &*value : nullptr);
    }
    return in.done();
  }
  bool operator==(const agent_casts&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_request& x) {
  return f(caf::meta::type_name("faust.agent_request"), x.agent, x.key, x.value,
           x.partition, x.correlation_id, x.reply_to, x.timeout_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_reply& x) {
  return f(caf::meta::type_name("faust.agent_reply"), x.correlation_id, x.value,
           x.failure);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_cast& x) {
  return f(caf::meta::type_name("faust.agent_cast"), x.agent, x.key, x.value,
           x.partition);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_casts& x) {
  return f(caf::meta::type_name("faust.agent_casts"), x.agent, x.count,
           x.packed);
}

} // namespace faust::protocol
