#pragma once

#include "actors/internal/cluster_gateway.hpp"
#include "actors/internal/cluster_member.hpp"
#include "actors/internal/stream_actors.hpp"
#include "actors/internal/table_actors.hpp"

#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <memory>
#include <string>

/// The worker's rebalance coordinator: the consumer turns the group's
/// rebalance callbacks into typed messages to it, and it informs the rest
/// of the worker (the agents' dispatchers and through them the agent
/// instances, the table partitions, the gateway and the cluster
/// announcement). It owns what the worker holds in the group: each
/// partition's state (recovering, ready, going), the membership and
/// whether the worker leads.
namespace faust::internal {

/// The consumer's place in its group when a rebalance happened.
struct group_member {
  /// librdkafka's member id.
  std::string id;
  int32_t generation = -1;
};

/// The rebalance protocol, in the order a rebalance speaks it:
///  - `assigned`: the subscribers of each topic hear of its partitions,
///    the gateway and the announcement list them as recovering (ready
///    without tables), the tables recover them; the answer (true) comes once
///    they may be processed; the consumer holds their records until then
///    (false: the tables could not recover them, and the worker is failed).
///  - `drain` (an orderly revoke): callers hear at once that the partitions
///    are going (the gateway stops taking calls for them), the subscribers
///    drop what is queued and finish the events in flight (agents await
///    their asks, flush their table caches and send their acks); true once
///    all did, false if some did not within half the session timeout. The
///    consumer commits the acked offsets after it.
///  - `revoked` (after the drain, or instead of it when the partitions
///    were lost or exactly_once aborts their transactions): the
///    subscribers drop the partitions, the announcement no longer lists
///    them, the table partitions no longer co-partitioned with an owned
///    one are handed over (stores written, changelog delivered, unless
///    lost); true once done or the bound passed, when the consumer lets
///    the group go on.
/// The leader topic's partition in any of them only says whether this
/// worker leads (`app_core::leader`).
using rebalance_api = caf::typed_actor<
    /// `subscriber` hears of `topic`'s rebalances (before start).
    caf::reacts_to<subscribe_atom, std::string, subscriber_api>,
    caf::replies_to<assigned_atom, group_member, assignment>::with<bool>,
    caf::replies_to<drain_atom, group_member, assignment>::with<bool>,
    /// (member, partitions, lost)
    caf::replies_to<revoked_atom, group_member, assignment, bool>::with<bool>>;

/// Who the coordinator informs besides the subscribers (each may be
/// absent: no tables, no cluster endpoint).
struct rebalance_locals {
  table_manager_api tables;
  gateway_local_api gateway;
  cluster_member_api member;
};

rebalance_api spawn_rebalance_coordinator(caf::actor_system& sys,
                                          std::shared_ptr<app_core> core,
                                          rebalance_locals locals);

} // namespace faust::internal

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::internal::group_member)
