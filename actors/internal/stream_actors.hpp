#pragma once

#include "actors/internal/messages.hpp"

#include <caf/replies_to.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include <cstddef>
#include <string>

/// The typed interfaces of the actors records flow through: the compiler
/// checks every message sent to them through these handles.
namespace faust::internal {

/// What a consumer (Kafka, or the memory log) sends to the actors
/// subscribed to a topic.
using subscriber_api = caf::typed_actor<
    /// Records of one topic partition.
    caf::reacts_to<batch_atom, batch_ptr>,
    /// A rebalance gave this worker these partitions.
    caf::reacts_to<assigned_atom, assignment>,
    /// A rebalance took these partitions away (their queued records are
    /// not processed here).
    caf::reacts_to<revoked_atom, assignment>,
    /// A rebalance is taking these partitions away: queued records are
    /// dropped, and the answer comes once nothing of them is being
    /// processed (their events finished and acked).
    caf::replies_to<drain_atom, assignment>::with<bool>>;

/// An agent's dispatcher: a subscriber whose agent instances pull work.
using dispatcher_api = subscriber_api::extend<
    /// Instance `index` is ready for its next piece of work.
    caf::reacts_to<ready_atom, size_t>,
    /// Instance `index` crashed; `work` is what it had not finished.
    caf::reacts_to<crashed_atom, size_t, work>>;

/// The reply actor: a subscriber of the app's reply topic that completes
/// pending asks by correlation id.
using reply_api = subscriber_api::extend<
    /// A wait for the reply with this correlation id, at most `timespan`.
    caf::reacts_to<register_atom, std::string, pending_reply_ptr,
                   caf::timespan>,
    /// The asker gave up.
    caf::reacts_to<cancel_atom, std::string>,
    /// The wait ran out (to itself).
    caf::reacts_to<expire_atom, std::string>>;

/// A consumer: the Kafka consumer, or the memory log's (also the one that
/// delivers channels).
using consumer_api = caf::typed_actor<
    /// `subscriber_api` receives the records of `topic` (before start).
    caf::reacts_to<subscribe_atom, std::string, subscriber_api>,
    caf::reacts_to<start_atom>,
    /// Records may be ready (from librdkafka's or the log's thread).
    caf::reacts_to<wake_atom>,
    /// Processed records (every subscriber acks each record).
    caf::reacts_to<ack_atom, ack_list>,
    /// Commits what is acked now; true when done.
    caf::replies_to<commit_atom>::with<bool>,
    /// Its own periodic pass (to itself).
    caf::reacts_to<tick_atom>,
    /// True once every subscribed partition is read to its end and acked.
    caf::replies_to<idle_atom>::with<bool>,
    /// Stops fetching; true once nothing is in flight (and committed).
    caf::replies_to<drain_atom>::with<bool>>;

/// An agent instance: processes the work its dispatcher sends.
using instance_api = caf::typed_actor<
    caf::reacts_to<work_atom, work>,
    /// Its timer: writes delivered table batches, expires windows.
    caf::reacts_to<persist_atom>,
    /// Its dispatcher has no more work for it now: flushes table caches.
    caf::reacts_to<caught_up_atom>,
    /// A table partition's actor recalls the write side it holds.
    caf::replies_to<give_back_atom, partition_ref>::with<writer_handle>,
    /// A processor's wait (take within, ...) ran out (to itself).
    caf::reacts_to<timeout_atom, uint64_t>,
    /// What its coroutine awaited (an ask's reply) has arrived: the
    /// number of the wait (to itself).
    caf::reacts_to<resume_atom, uint64_t>,
    /// A revoke: flush the table caches and send every ack held back for
    /// them (answered after the acks went out; a coroutine that awaits
    /// keeps its open event's).
    caf::replies_to<flush_acks_atom>::with<bool>>;

} // namespace faust::internal
