#pragma once

#include "actors/internal/app_core.hpp"
#include "actors/internal/direct_call.hpp"
#include "actors/internal/messages.hpp"
#include "actors/internal/runtime_handles.hpp"

#include <caf/send.hpp>

#include <cstdint>

namespace faust::internal {

/// Partition ids of the in-process (channel) consumer carry this bit, so
/// that acks find their consumer when an app reads Kafka topics and
/// channels at once.
constexpr uint32_t channel_tp_flag = 1u << 31;

/// Hands acknowledgements to `send(consumer, acks)` for the consumers
/// that delivered the records: ids with `channel_tp_flag` to the channel
/// consumer, others to the main consumer (one message when both are the
/// same actor, as with memory://).
template <class Send>
void route_acks(const app_core& core, ack_list acks, Send send) {
  if (acks.acks.empty())
    return;
  if (core.runtime->consumer == core.runtime->channel_consumer) {
    send(core.runtime->consumer, std::move(acks));
    return;
  }
  ack_list channel;
  ack_list main;
  for (auto& a : acks.acks)
    if (!(a.first & direct_tp_flag)) // no offset to commit
      (a.first & channel_tp_flag ? channel : main).acks.push_back(a);
  if (!main.acks.empty())
    send(core.runtime->consumer, std::move(main));
  if (!channel.acks.empty())
    send(core.runtime->channel_consumer, std::move(channel));
}

/// Sends acknowledgements from actor `self` (see `route_acks`).
template <class Self>
void send_acks(Self* self, const app_core& core, ack_list acks) {
  route_acks(core, std::move(acks), [&](const auto& consumer, ack_list l) {
    self->send(consumer, ack_atom::value, std::move(l));
  });
}

/// Sends acknowledgements where no actor can send (an actor's state
/// ending).
inline void send_acks_anonymously(const app_core& core, ack_list acks) {
  route_acks(core, std::move(acks), [](const auto& consumer, ack_list l) {
    caf::anon_send(consumer, ack_atom::value, std::move(l));
  });
}

} // namespace faust::internal
