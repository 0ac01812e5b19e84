#pragma once

#include "actors/internal/cluster_gateway.hpp"
#include "actors/internal/messages.hpp"
#include "cluster/announcement.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace faust::transport::kafka {
class producer;
}

namespace faust::internal {

class app_core;

/// What the consumer owns now (after a rebalance, and as table recovery
/// finishes): the group membership and the assigned partitions with their
/// state.
struct cluster_ownership {
  std::string member_id;
  int32_t generation = -1;
  std::vector<cluster::owned_partition> active;
};

using announce_atom = caf::atom_constant<caf::atom("announce")>;
/// Asks for what a web view shows (JSON).
using web_atom = caf::atom_constant<caf::atom("web")>;

/// The actor that owns this worker's announcement on `<app_id>-__cluster`:
/// the consumer tells it what the worker owns, it adds who the worker is
/// and its standby partitions and writes the record (with its own producer,
/// whose delivery reports it serves on a 1 s tick: a failed announcement
/// is logged and does not stop the worker's commits).
using cluster_member_api = caf::typed_actor<
    caf::reacts_to<announce_atom, cluster_ownership>,
    /// The standby placement changed: the changelog
    /// partitions this worker follows now.
    caf::reacts_to<standbys_atom, std::vector<models::topic_partition>>,
    caf::reacts_to<tick_atom>,
    /// This worker's assignment as `/assignment/` shows it (JSON).
    caf::replies_to<web_atom>::with<std::string>>;

/// The cluster topic of an app: `<app_id>-__cluster`.
std::string cluster_topic(const std::string& app_id);

cluster_member_api
spawn_cluster_member(caf::actor_system& sys, std::shared_ptr<app_core> core,
                     cluster_identity who,
                     std::shared_ptr<transport::kafka::producer> producer);

/// Loads CAF's middleman into `cfg` with the cluster settings
/// (heartbeats, connection timeout, the app id as CAF's application
/// identifier: another app's processes are refused at the handshake).
/// With `cluster_tls` settings, loads CAF's OpenSSL module too, with the
/// certificate, key and CA file: every cluster connection is then TLS.
void configure_cluster(caf::actor_system_config& cfg, const app_core& core);

/// The actor that opens this process's cluster connections (CAF's
/// middleman, or its OpenSSL manager when the cluster uses TLS).
caf::io::middleman_actor cluster_connector(caf::actor_system& sys);

/// A worker's part of the cluster while it runs.
struct cluster_runtime {
  cluster_identity who;
  gateway_local_api gateway;
  cluster_member_api member;
  /// The member's own producer (a failed announcement does not count
  /// against the app's outputs).
  std::shared_ptr<transport::kafka::producer> producer;
};

/// Publishes the gateway on `cluster_host`:`cluster_port` and spawns the
/// member actor, which announces the worker at once. Errors: the port
/// cannot be bound, the producer cannot be made. `web_url` is announced
/// (empty: the worker serves no web views).
result<cluster_runtime> start_cluster(caf::actor_system& sys,
                                      const std::shared_ptr<app_core>& core,
                                      std::string web_url);

/// A stop, first step: closes the endpoint (no new connections) and stops
/// the gateway.
void close_endpoint(caf::actor_system& sys, cluster_runtime& cluster);

/// A clean stop, last step: writes the worker's tombstone, waiting up to
/// `timeout` for the broker. Call it from the stopping thread only once the
/// member actor has ended (so that no announcement follows the tombstone).
result<void> leave_cluster(cluster_runtime& cluster, const std::string& app_id,
                           std::chrono::milliseconds timeout);

} // namespace faust::internal

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::internal::cluster_ownership)
