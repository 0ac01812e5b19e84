#pragma once

#include "actors/protocol/wire_error.hpp"

#include <cstdint>
#include <optional>
#include <string>

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

} // namespace faust::protocol
