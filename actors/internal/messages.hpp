#pragma once

#include "actors/protocol/assignment.hpp"
#include "actors/protocol/recovery_state.hpp"
#include "faust/detail/pending_reply.hpp"
#include "faust/detail/record_batch.hpp"
#include "faust/detail/table_desc.hpp"
#include "models/message.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

/// Messages between the runtime's actors. Those that carry pointers or
/// zero-copy batches are local only, registered as unsafe (not
/// serializable) message types; what may cross a node is in
/// `actors/protocol/`.
namespace faust::internal {

/// What one table partition's recovery did (partition actor -> manager;
/// serializable, as the cluster announces it).
using recovery_state = protocol::recovery_state;
using protocol::recovery_phase;

/// A table partition, named in a local message (the actor asking for its
/// write side back).
struct partition_ref {
  table_partition* part = nullptr;
};

/// The write side of a table partition, given back to its actor.
struct writer_handle {
  std::shared_ptr<partition_writer> writer;
};

/// The partitions of a rebalance signal (serializable).
using assignment = protocol::assignment;

// consumer <- subscribers
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using ack_atom = caf::atom_constant<caf::atom("ack")>;
// consumer control
using start_atom = caf::atom_constant<caf::atom("start")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;
// consumer -> subscribers
using batch_atom = caf::atom_constant<caf::atom("batch")>;
using assigned_atom = caf::atom_constant<caf::atom("assigned")>;
/// Partitions taken away: drop their queued records (another worker
/// processes them from the last commit).
using revoked_atom = caf::atom_constant<caf::atom("revoked")>;
// dispatcher <-> instances
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using crashed_atom = caf::atom_constant<caf::atom("crashed")>;
using work_atom = caf::atom_constant<caf::atom("work")>;
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;
/// What a coroutine awaited has arrived (to its instance).
using resume_atom = caf::atom_constant<caf::atom("resume")>;
// replies to ask
using register_atom = caf::atom_constant<caf::atom("register")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
// tables: consumer -> manager -> partition actors
using recover_atom = caf::atom_constant<caf::atom("recover")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using release_all_atom = caf::atom_constant<caf::atom("releaseall")>;
using follow_atom = caf::atom_constant<caf::atom("follow")>;
/// Stop following a changelog as a standby; with a list: the changelog
/// partitions this worker is to follow (its standby placement).
using unfollow_atom = caf::atom_constant<caf::atom("unfollow")>;
using standbys_atom = caf::atom_constant<caf::atom("standbys")>;
/// Send the acks held back for table caches now (flushing the caches).
using flush_acks_atom = caf::atom_constant<caf::atom("flushacks")>;
using continue_atom = caf::atom_constant<caf::atom("continue")>;
// tables: partition actor <-> the agent instance writing it
using claimed_atom = caf::atom_constant<caf::atom("claimed")>;
using give_back_atom = caf::atom_constant<caf::atom("giveback")>;
using writer_left_atom = caf::atom_constant<caf::atom("writerleft")>;
using persist_atom = caf::atom_constant<caf::atom("persist")>;
/// dispatcher -> agent instance: no more work is queued for it now.
using caught_up_atom = caf::atom_constant<caf::atom("caughtup")>;
/// The table manager's partition actors (for tests).
using parts_atom = caf::atom_constant<caf::atom("parts")>;
// timers
using tick_atom = caf::atom_constant<caf::atom("tick")>;

} // namespace faust::internal

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::internal::batch_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::internal::work)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::internal::ack_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::internal::writer_handle)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::internal::partition_ref)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::internal::pending_reply_ptr)
