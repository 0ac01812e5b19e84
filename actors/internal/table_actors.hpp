#pragma once

#include "actors/internal/messages.hpp"
#include "actors/protocol/changelog_push.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <vector>

/// The typed interfaces of the actors that own a worker's tables: the
/// compiler checks every message sent to them through these handles.
namespace faust::internal {

/// One partition of one table, the one owner of its state.
using table_partition_api = caf::typed_actor<
    /// Assigned: recover (in slices), then lend the write side.
    caf::replies_to<recover_atom>::with<recovery_state>,
    /// The next recovery slice of assignment `generation` (to itself).
    caf::reacts_to<continue_atom, uint64_t>,
    /// Revoked (`lost`: without a chance to deliver): hand over; true once
    /// the store holds everything delivered.
    caf::replies_to<release_atom, bool>::with<bool>,
    /// The agent instance that took the write side.
    caf::reacts_to<claimed_atom, caf::actor>,
    /// The holder ended; the write side is parked in the partition again.
    caf::reacts_to<writer_left_atom>,
    /// Another worker owns it: follow its changelog as a standby.
    caf::reacts_to<follow_atom>,
    /// The standby placement put its standby on another worker: stop
    /// following (the store stays, for a later placement or takeover).
    caf::reacts_to<unfollow_atom>,
    /// Changelog records the owner pushed (applied by a standby in offset
    /// order; ignored otherwise).
    caf::reacts_to<protocol::changelog_push>,
    /// The standby's next pass (to itself).
    caf::reacts_to<tick_atom>>;

/// The tables of a worker: the partition actors and the rebalance
/// protocol the consumer speaks with them.
using table_manager_api = caf::typed_actor<
    /// The group assigned these topic partitions: true once the
    /// co-partitioned table partitions are recovered.
    caf::replies_to<recover_atom, assignment>::with<bool>,
    /// (revoked, remaining, lost): true once the table partitions no longer
    /// co-partitioned with a remaining one are handed over.
    caf::replies_to<release_atom, assignment, assignment, bool>::with<bool>,
    /// Stopping: every partition handed over.
    caf::replies_to<release_all_atom>::with<bool>,
    /// The standby placement: the changelog partitions this worker
    /// follows (the others it does not own, it stops following).
    caf::reacts_to<standbys_atom, std::vector<models::topic_partition>>,
    /// Pushed changelog records: to their partition's actor.
    caf::reacts_to<protocol::changelog_push>,
    /// The partition actors (tests, supervision).
    caf::replies_to<parts_atom>::with<std::vector<table_partition_api>>>;

} // namespace faust::internal
