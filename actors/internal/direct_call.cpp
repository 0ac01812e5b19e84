#include "actors/internal/direct_call.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "actors/internal/source_scope.hpp"
#include "faust/detail/event_context.hpp"
#include "faust/detail/wake.hpp"

#include <caf/send.hpp>

namespace faust::internal {

direct_call::~direct_call() {
  if (!answered_.load(std::memory_order_acquire) && gateway)
    caf::anon_send(gateway, unanswered_atom::value, id,
                   started_.load(std::memory_order_relaxed));
}

void direct_call::answer(std::string reply) const {
  if (answered_.exchange(true, std::memory_order_acq_rel) || !gateway)
    return;
  if (!local_waiter) {
    caf::anon_send(gateway, answer_atom::value, id, std::move(reply));
    return;
  }
  // The gateway forgets the call (its answer is given here, next).
  caf::anon_send(gateway, answer_atom::value, id, std::string{});
  // The caller's completion runs outside the agent's event: what it sends
  // or writes is not the event's (as when the router completes it).
  event_context_scope no_event{nullptr};
  source_scope no_source{nullptr, nullptr};
  wake_target_scope no_wake{nullptr};
  complete_reply(reply, *local_waiter);
}

batch_ptr direct_call_batch(std::shared_ptr<direct_call> call) {
  auto batch = std::make_shared<record_batch>();
  batch->tp_id = direct_tp_flag;
  batch->tp = {call->topic, call->partition};
  batch->records.push_back(call.get());
  batch->owners.push_back(std::move(call));
  return batch;
}

// --- core_access.hpp ------------------------------------------------------

result<void> send_reply(app_core& core, const models::message& request,
                        const std::string& reply_to, std::string reply) {
  if (auto* call = as_direct_call(request)) {
    // Held until the event's table writes are durable, if it has any.
    if (auto* ctx = current_event_context();
        ctx && ctx->defer_direct_reply(request, reply))
      return {};
    call->answer(std::move(reply));
    return {};
  }
  models::message m;
  m.topic = reply_to;
  m.value = std::move(reply);
  if (auto sent = core.produce(std::move(m)); !sent)
    return sent.error();
  return {};
}

} // namespace faust::internal
