#pragma once

#include "actors/internal/app_core.hpp"
#include "actors/internal/messages.hpp"
#include "actors/internal/runtime_handles.hpp"

#include <cstdint>

namespace faust::internal {

/// Partition ids of the in-process (channel) consumer carry this bit, so
/// that acks find their consumer when an app reads Kafka topics and
/// channels at once.
constexpr uint32_t channel_tp_flag = 1u << 31;

/// Sends acknowledgements to the consumers that delivered the records:
/// ids with `channel_tp_flag` to the channel consumer, others to the main
/// consumer (one message when both are the same actor, as with memory://).
template <class Self>
void send_acks(Self* self, const app_core& core, ack_list acks) {
  if (acks.acks.empty())
    return;
  if (core.runtime->consumer == core.runtime->channel_consumer) {
    self->send(core.runtime->consumer, ack_atom::value, std::move(acks));
    return;
  }
  ack_list channel;
  ack_list main;
  for (auto& a : acks.acks)
    (a.first & channel_tp_flag ? channel : main).acks.push_back(a);
  if (!main.acks.empty())
    self->send(core.runtime->consumer, ack_atom::value, std::move(main));
  if (!channel.acks.empty())
    self->send(core.runtime->channel_consumer, ack_atom::value,
               std::move(channel));
}

} // namespace faust::internal
