#pragma once

#include "actors/internal/app_core.hpp"
#include "actors/internal/stream_actors.hpp"
#include "actors/internal/table_actors.hpp"
#include "faust/detail/pending_reply.hpp"
#include "faust/detail/processor.hpp"
#include "faust/detail/table_desc.hpp"
#include "faust/detail/timer_config.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/local_actor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

/// Spawn functions of the actors behind an app. Data path:
/// consumer -> dispatcher -> agent instance -> (producer), acks back to the
/// consumer; replies to `ask` come through the reply actor.
namespace faust::internal {

/// The memory transport's consumer: subscribes dispatchers to topics,
/// fetches records in batches per partition (at most
/// `stream_buffer_maxsize` unacked records per partition), fans each batch
/// out to every subscriber, counts acks per record, and commits the
/// contiguous acked offsets every `broker_commit_interval`, after
/// `broker_commit_every` acks, and when drained.
///
/// Protocol: (subscribe_atom, topic, actor) before (start_atom);
/// (ack_atom, ack_list); (drain_atom) -> bool once nothing is in flight
/// (fetching stops; everything acked is committed); (idle_atom) -> bool
/// once every subscribed partition is read to its end and fully acked (and
/// committed), without stopping.
consumer_api spawn_memory_consumer(caf::actor_system& sys,
                                   std::shared_ptr<app_core> core);

/// The Kafka transport's consumer: the same protocol as the memory
/// consumer, over a member of the app's consumer group (group id = app id).
/// Records of assigned partitions go out in batches per partition; a
/// partition with `stream_buffer_maxsize` records in flight is paused until
/// half of them are acked. Rebalances go to the rebalance coordinator as
/// typed messages (it informs the subscribers, tables, gateway and
/// announcement; `rebalance_coordinator.hpp`), and an assigned partition's
/// records are held until it answers; acked offsets are committed every
/// `broker_commit_interval`, after `broker_commit_every` acks, on revoke and
/// when drained, each time after the app's producer has delivered what it
/// sent (so no output of a committed record can be lost).
consumer_api spawn_kafka_consumer(caf::actor_system& sys,
                                  std::shared_ptr<app_core> core);

/// Serves the Kafka producer's delivery reports (sends go straight to the
/// thread-safe producer).
caf::actor
spawn_kafka_producer(caf::actor_system& sys,
                     std::shared_ptr<transport::kafka::producer> producer);

struct dispatcher_config {
  std::string agent_name;
  /// One instance per partition (work goes to slot `partition % slots`).
  bool isolated = false;
  /// Number of instance slots.
  size_t slots = 1;
};

/// Holds an agent's incoming batches and hands one piece of work at a time
/// to each ready instance (instances pull with ready_atom). Work an instance
/// did not finish (it crashed, or was stopped by its supervisor) goes back to
/// the front of the queue for its replacement, so a restart loses nothing.
dispatcher_api spawn_dispatcher(caf::actor_system& sys, dispatcher_config cfg);

struct instance_config {
  std::string agent_name;
  size_t index = 0;
  dispatcher_api dispatcher;
  /// Where acks go (its consumers).
  std::shared_ptr<app_core> core;
  processor_factory make_processor;
  /// The agent may change tables (concurrency 1: the instance owns the
  /// partitions it processes).
  bool may_write_tables = true;
};

/// One agent instance: runs its processor on the work it pulls, sends acks,
/// and on a crash hands the rest of its work back and exits with
/// `errc::agent_crashed` for its supervisor.
instance_api spawn_instance(caf::actor_system& sys, instance_config cfg);

/// Consumes the app's reply topic and completes pending asks by
/// correlation id: (register_atom, correlation_id, pending_reply_ptr,
/// timeout) and (cancel_atom, correlation_id).
/// Completes `waiter` with the value of a `ReqRepResponse` (or a decode
/// error).
void complete_reply(std::string_view response, pending_reply& waiter);

reply_api spawn_reply_actor(caf::actor_system& sys,
                            std::shared_ptr<app_core> core);

/// The tables of a worker: on Kafka it spawns one table partition actor
/// per table partition (linked to it) and answers the consumer:
/// (recover_atom, assignment) -> bool once the table partitions
/// co-partitioned with the assigned topic partitions are recovered, in
/// parallel, by their actors (false: recovery failed, and the worker is
/// failed); on the first assignment the others start following as
/// standbys. (release_atom, revoked, remaining, lost) -> bool once the
/// partitions no longer co-partitioned with an assigned one are handed
/// over; (release_all_atom) -> bool on stop; (parts_atom) -> the partition
/// actors (for tests).
table_manager_api spawn_table_manager(caf::actor_system& sys,
                                      std::shared_ptr<app_core> core);

/// One partition of one table on a Kafka worker, the one owner of its state
/// (`storage::partition_custody`), with a changelog reader of its own (made
/// on first use). (recover_atom) -> recovery_state replays its changelog
/// into its store in slices (it stays responsive) and makes the partition
/// active: its write side is then taken by the agent instance that
/// processes it, which reports (claimed_atom, holder) and on
/// (give_back_atom, partition_ref) answers with a writer_handle. (release_atom,
/// lost)
/// -> bool hands the partition over: recalls the write side, waits for the
/// changelog's delivery (unless lost), writes the rest and records the
/// changelog offset. (follow_atom) makes it a standby that follows the
/// changelog every 200 ms. Detached (reading and watermark queries block,
/// bounded); spawned by the table manager, linked to it.
table_partition_api spawn_table_partition(caf::local_actor* parent,
                                          std::shared_ptr<app_core> core,
                                          table_desc* table,
                                          table_partition* part);

/// Runs `cfg.run` at the times `cfg.next_delay` gives. An exception crashes
/// the timer actor, for its supervisor to restart.
caf::actor spawn_timer(caf::actor_system& sys, timer_config cfg);

} // namespace faust::internal
