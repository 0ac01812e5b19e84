#pragma once

#include "actors/internal/cast_queue.hpp"
#include "actors/internal/cluster_member.hpp"
#include "actors/internal/cluster_router.hpp"
#include "actors/internal/rebalance_coordinator.hpp"
#include "actors/internal/stream_actors.hpp"
#include "actors/internal/table_actors.hpp"

#include <caf/actor.hpp>

#include <atomic>
#include <cstdint>

namespace caf {
class actor_system;
}

namespace faust::internal {

/// The running app's actor system and the runtime actors other actors talk
/// to, set by `app::start` before they run and cleared by `app::stop`. Kept
/// out of `app_core` so the headers a user includes need no actor types.
struct runtime_handles {
  caf::actor_system* system = nullptr;
  /// Delivers the app's topics: the Kafka consumer, or the memory
  /// consumer for memory://.
  consumer_api consumer;
  /// Delivers channels (in-process topics): the memory consumer (the same
  /// actor as `consumer` for memory://).
  consumer_api channel_consumer;
  reply_api replies;
  /// Recovers and hands over table partitions (apps with tables).
  table_manager_api table_manager;
  /// Announces this worker in the cluster (Kafka apps).
  cluster_member_api cluster;
  /// Serves direct calls to this worker's agents (Kafka apps).
  gateway_local_api gateway;
  /// Routes this process's direct calls (Kafka apps).
  router_api router;
  /// Hears the Kafka consumer's rebalances and informs the rest of the
  /// worker (Kafka apps).
  rebalance_api rebalance;

  /// Direct casts handed to the router (each caller counts its cast before
  /// sending it), and how many of them the router had taken when it last
  /// held none for this worker's gateway. A direct call goes straight to
  /// this worker's gateway only while the two are equal, so a cast sent
  /// before a call still reaches the agent before it.
  std::atomic<uint64_t> direct_casts_sent{0};
  std::atomic<uint64_t> direct_casts_settled{0};
  /// Direct casts for the router to take (it is woken when they start).
  cast_queue direct_casts;
};

} // namespace faust::internal
