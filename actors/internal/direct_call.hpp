#pragma once

#include "actors/internal/messages.hpp"
#include "faust/detail/pending_reply.hpp"

#include <caf/actor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

/// A request that reached an agent over CAF (the cluster's gateway) instead
/// of through the agent's topic. The agent instance processes it as any
/// record; its reply goes back to the gateway instead of to a reply topic.
namespace faust::internal {

/// Partition ids of direct calls carry this bit: they have no Kafka offset,
/// so their acks go to no consumer.
constexpr uint32_t direct_tp_flag = 1u << 30;

/// The offset a direct call's record carries (no Kafka record has it).
constexpr int64_t direct_offset = -2;
/// Direct casts' records carry offsets from this one down (no reply,
/// nobody waits): `direct_cast_offset - n` for the worker's n-th cast, which
/// is the offset of the origin their table writes get (see
/// `direct_cast_origin`).
constexpr int64_t direct_cast_offset = -3;

inline bool is_direct_cast(const models::message& m) {
  return m.offset <= direct_cast_offset;
}
/// The origin of a direct cast's table writes: the worker's source of its
/// own (`__direct-<incarnation>`), the cast's partition and number.
inline int64_t direct_cast_number(const models::message& m) {
  return direct_cast_offset - m.offset;
}

/// The reply address a direct call's record carries: replies to it go to
/// the call, never to a topic (no Kafka topic name holds ':').
inline constexpr std::string_view direct_reply_prefix = "faust-direct:";

using answer_atom = caf::atom_constant<caf::atom("answer")>;
using unanswered_atom = caf::atom_constant<caf::atom("unanswer")>;

/// The record of one direct call and what became of it. The gateway makes
/// it; the record batch that carries it to the agent keeps it alive, and so
/// does a reply that waits for the call's table writes to be durable. When
/// the last owner lets go without an answer, the gateway hears whether the
/// agent had begun with it (so a call never processed can go elsewhere,
/// and one that was is never run twice).
struct direct_call : models::message,
                     std::enable_shared_from_this<direct_call> {
  /// The gateway that waits for the answer.
  caf::actor gateway;
  uint64_t id = 0;
  /// When the caller stops waiting: a reply held for durability gives up
  /// then.
  std::chrono::steady_clock::time_point deadline{};
  /// A call made in this process: the caller's waiter, which `answer`
  /// completes itself (the gateway only hears that it did).
  pending_reply_ptr local_waiter;

  direct_call() = default;
  direct_call(const direct_call&) = delete;
  direct_call& operator=(const direct_call&) = delete;
  ~direct_call();

  /// An agent instance took the call (it processes it now).
  void mark_started() const { started_.store(true, std::memory_order_relaxed); }
  /// Sends the agent's reply (a `ReqRepResponse`, as the reply topic would
  /// carry it) to the gateway, or gives it to the local caller's waiter;
  /// once.
  void answer(std::string reply) const;

private:
  mutable std::atomic<bool> started_{false};
  mutable std::atomic<bool> answered_{false};
};

/// The direct call `m` is, or null for a record from a topic.
inline const direct_call* as_direct_call(const models::message& m) {
  return m.offset == direct_offset ? static_cast<const direct_call*>(&m)
                                   : nullptr;
}

/// A batch carrying one direct call to an agent's dispatcher.
batch_ptr direct_call_batch(std::shared_ptr<direct_call> call);

} // namespace faust::internal
