#pragma once

#include "actors/internal/cluster_gateway.hpp"
#include "actors/internal/cluster_member.hpp"
#include "actors/internal/table_actors.hpp"
#include "faust/detail/core_access.hpp"

#include <caf/typed_actor.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faust::internal {

class app_core;

/// Records of the cluster topic, in order: (worker id, value; empty for a
/// tombstone).
struct cluster_records {
  std::vector<std::pair<std::string, std::optional<std::string>>> records;
};

using call_atom = caf::atom_constant<caf::atom("call")>;
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;
using records_atom = caf::atom_constant<caf::atom("records")>;
using cast_atom = caf::atom_constant<caf::atom("cast")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;

/// Reads `<app_id>-__cluster` outside any group, from its start, and keeps
/// reading what is added (a poll every 250 ms, or when asked): the raw
/// material of every process's cluster view. Blocks on the broker, so it
/// runs on a thread of its own.
using cluster_reader_api = caf::typed_actor<
    /// Reads what was added now and sends it to the router (true: sent).
    caf::replies_to<refresh_atom>::with<bool>, caf::reacts_to<tick_atom>>;

/// Routes direct calls (`call_directly`): owns the process's cluster view
/// (folded from the reader's records), a connection per peer gateway, and
/// the calls in flight, which fail at once, naming the agent, key and peer,
/// when their peer goes down.
using router_api = caf::typed_actor<
    caf::reacts_to<call_atom, direct_request>,
    /// Casts wait in `runtime_handles::direct_casts`.
    caf::reacts_to<cast_atom>,
    /// Sends the casts gathered so far (to itself).
    caf::reacts_to<flush_atom>, caf::reacts_to<records_atom, cluster_records>,
    /// Changelog records this worker's table partition
    /// delivered: for the partition's standbys.
    caf::reacts_to<protocol::changelog_push>,
    /// The earliest deadline of a call passed: the
    /// timer's number (to itself).
    caf::reacts_to<timeout_atom, uint64_t>,
    /// Faust's `router.tables_metadata()` as JSON, for
    /// one table ("": every table).
    caf::replies_to<web_atom, std::string>::with<std::string>,
    /// The web URL of the worker that owns partition
    /// `int32_t` of table `std::string` ("": none known).
    caf::replies_to<web_atom, std::string, int32_t>::with<std::string>,
    /// A table read for `/table/{name}/{key}/`: here, or forwarded to the
    /// owner (or a standby).
    caf::replies_to<web_atom, protocol::table_read_request>::with<
        protocol::table_read_reply>>;

/// This worker's side of the router (all empty in a client-only process):
/// its gateway and incarnation (calls to itself go there), and who hears
/// of its standby placement, computed from the view: the table manager
/// (which changelogs to follow) and the member (what it announces).
struct router_locals {
  gateway_api gateway;
  std::string incarnation;
  table_manager_api tables;
  cluster_member_api member;
};

/// Spawns the reader (detached) and the router.
router_api spawn_router(caf::actor_system& sys, std::shared_ptr<app_core> core,
                        router_locals locals);

} // namespace faust::internal

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::internal::cluster_records)
