#pragma once

#include "actors/internal/direct_call.hpp"
#include "actors/internal/stream_actors.hpp"
#include "actors/protocol/agent_call.hpp"
#include "actors/protocol/changelog_push.hpp"
#include "actors/protocol/table_read.hpp"
#include "faust/detail/core_access.hpp"
#include "models/message.hpp"

#include <caf/typed_actor.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace faust::internal {

class app_core;

using whois_atom = caf::atom_constant<caf::atom("whois")>;
using owned_atom = caf::atom_constant<caf::atom("owned")>;
using routes_atom = caf::atom_constant<caf::atom("routes")>;
using local_call_atom = caf::atom_constant<caf::atom("localcall")>;

/// Who this worker is in the cluster: fixed for the life of the process.
struct cluster_identity {
  std::string worker_id;
  std::string host;
  uint16_t port = 0;
  /// A fresh UUID per start.
  std::string incarnation;
  /// Its web server's URL (empty without one).
  std::string web_url{};
};

/// Where direct calls to one agent go in this worker.
struct agent_route {
  /// The agent's dispatcher (a direct call is one more batch for it).
  subscriber_api dispatcher;
  /// The topic requests to the agent go to, and its partition count.
  std::string topic;
  int32_t partitions = 0;
};
using agent_routes = std::map<std::string, agent_route, std::less<>>;

/// The worker's published entry point for other processes (workers and
/// clients, over CAF), and the same for this process's own callers:
/// `whois` names the worker; an `agent_request` is processed by the agent
/// instance that owns the request's partition here, and answered with its
/// reply, or with `not_owner` (this worker does not own the partition, or
/// has not recovered it: ask again elsewhere, nothing ran), `retry` (too
/// many calls in flight here: nothing ran), or another error (it ran, or
/// may have: do not send it again).
///
/// Direct casts (`agent_casts`) are at most once: those for partitions
/// this worker does not serve now are dropped (and counted).
///
/// A `changelog_push` (from the worker that owns a table partition this
/// one stands by for) goes to the partition's actor here.
using gateway_api = caf::typed_actor<
    caf::replies_to<whois_atom>::with<std::string, std::string>,
    caf::replies_to<protocol::agent_request>::with<protocol::agent_reply>,
    caf::reacts_to<protocol::agent_casts>,
    caf::reacts_to<protocol::changelog_push>,
    /// A table read forwarded by another worker's web view.
    caf::replies_to<protocol::table_read_request>::with<
        protocol::table_read_reply>>;

/// The gateway with the messages only this process sends it: what the
/// consumer owns now (ready partitions only are served), the agents, and
/// what became of each call it handed to an agent.
///
/// A `local_call` is a direct call made in this process (`call_directly`):
/// served here when this worker owns its partition, is ready and has room,
/// with the agent's reply given to the caller's waiter by the agent
/// instance itself; otherwise handed to the router unchanged (which may
/// send it back here as an `agent_request`, held while the partition is
/// recovered, or elsewhere).
using gateway_local_api = gateway_api::extend<
    caf::reacts_to<local_call_atom, direct_request>,
    /// (ready, recovering): calls for a recovering partition are held
    /// until it is ready (bounded in count and time, then `retry`).
    caf::reacts_to<owned_atom, std::vector<models::topic_partition>,
                   std::vector<models::topic_partition>>,
    caf::reacts_to<routes_atom, agent_routes>,
    caf::reacts_to<answer_atom, uint64_t, std::string>,
    caf::reacts_to<unanswered_atom, uint64_t, bool>,
    caf::reacts_to<timeout_atom, uint64_t>>;

gateway_local_api spawn_gateway(caf::actor_system& sys,
                                std::shared_ptr<app_core> core,
                                cluster_identity who);

} // namespace faust::internal

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::internal::agent_routes)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::internal::direct_request)
