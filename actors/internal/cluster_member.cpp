#include "actors/internal/cluster_member.hpp"

#include "actors/internal/app_core.hpp"
#include "cluster/table_routes.hpp"
#include "faust/detail/table_desc.hpp"
#include "faust/detail/uuid.hpp"
#include "supervision/logger.hpp"
#include "transport/kafka/producer.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <unistd.h>

namespace faust::internal {

std::string cluster_topic(const std::string& app_id) {
  return app_id + "-__cluster";
}

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct member_state {
  std::shared_ptr<app_core> core;
  std::shared_ptr<transport::kafka::producer> producer;
  cluster::announcement self;
  /// The standby placement, once the cluster view gave one.
  std::optional<std::vector<models::topic_partition>> placed;
  std::string topic;
  static inline const char* name = "cluster member";
};

using member_actor = cluster_member_api::stateful_pointer<member_state>;

/// The changelog partitions this worker follows as a standby until the
/// cluster view places standbys: with standby replicas, every table
/// partition it does not own (the table manager follows exactly those
/// until then).
std::vector<models::topic_partition>
standby_partitions(const app_core& core,
                   const std::vector<cluster::owned_partition>& active) {
  std::vector<models::topic_partition> out;
  if (core.settings().table_standby_replicas <= 0)
    return out;
  for (auto& table : core.tables) {
    for (int32_t p = 0; p < table->partitions; ++p) {
      bool owned = false;
      for (auto& a : active)
        // Co-partitioned, as the table manager decides which it recovers.
        if (a.tp.partition == p && core.co_partitioned(*table, a.tp)) {
          owned = true;
          break;
        }
      if (!owned)
        out.push_back({table->changelog_topic, p});
    }
  }
  return out;
}

void announce(member_actor self) {
  auto& st = self->state;
  st.self.written_ms = now_ms();
  models::message m;
  m.topic = st.topic;
  m.partition = 0;
  m.key = st.self.worker_id;
  m.value = cluster::encode(st.self);
  if (auto sent = st.producer->send(m); !sent)
    faust::log().warn("cluster: cannot announce this worker on '{}': {}",
                      st.topic, sent.error().message);
  // Serves delivery reports (a failure is logged there), without waiting.
  st.producer->poll(std::chrono::milliseconds{0});
}

} // namespace

cluster_member_api
spawn_cluster_member(caf::actor_system& sys, std::shared_ptr<app_core> core,
                     cluster_identity who,
                     std::shared_ptr<transport::kafka::producer> producer) {
  return sys.spawn(
      [](member_actor self, std::shared_ptr<app_core> core,
         cluster_identity who,
         std::shared_ptr<transport::kafka::producer> producer)
          -> cluster_member_api::behavior_type {
        auto& st = self->state;
        st.topic = cluster_topic(core->app_id);
        st.core = std::move(core);
        st.producer = std::move(producer);
        st.self.worker_id = std::move(who.worker_id);
        st.self.host = std::move(who.host);
        st.self.port = who.port;
        st.self.incarnation = std::move(who.incarnation);
        st.self.web_url = std::move(who.web_url);
        // Present before the first assignment (generation -1, nothing
        // owned), so clients find the endpoint at once.
        announce(self);
        self->send(self, tick_atom::value);
        return {
            [self](tick_atom) {
              self->state.producer->poll(std::chrono::milliseconds{0});
              self->delayed_send(self, std::chrono::seconds{1},
                                 tick_atom::value);
            },
            [self](announce_atom, cluster_ownership& owned) {
              auto& st = self->state;
              st.self.member_id = std::move(owned.member_id);
              st.self.generation = owned.generation;
              st.self.active = std::move(owned.active);
              st.self.standby =
                  st.placed ? *st.placed
                            : standby_partitions(*st.core, st.self.active);
              announce(self);
            },
            [self](standbys_atom,
                   std::vector<models::topic_partition>& placed) {
              auto& st = self->state;
              st.placed = std::move(placed);
              if (st.self.standby == *st.placed)
                return;
              st.self.standby = *st.placed;
              announce(self);
            },
            [self](web_atom) {
              return cluster::assignment_json(self->state.self);
            },
        };
      },
      std::move(core), std::move(who), std::move(producer));
}

void configure_cluster(caf::actor_system_config& cfg, const app_core& core) {
  cfg.load<caf::io::middleman>();
  auto& s = core.settings();
  cfg.set("middleman.heartbeat-interval",
          caf::timespan{s.cluster_heartbeat_interval});
  cfg.set("middleman.connection-timeout",
          caf::timespan{s.cluster_connection_timeout});
  cfg.set("middleman.app-identifiers", std::vector<std::string>{core.app_id});
  if (s.cluster_tls()) {
    cfg.load<caf::openssl::manager>();
    cfg.openssl_certificate = s.cluster_tls_certificate;
    cfg.openssl_key = s.cluster_tls_key;
    cfg.openssl_cafile = s.cluster_tls_cafile;
  }
}

caf::io::middleman_actor cluster_connector(caf::actor_system& sys) {
  return sys.has_openssl_manager() ? sys.openssl_manager().actor_handle()
                                   : sys.middleman().actor_handle();
}

result<cluster_runtime> start_cluster(caf::actor_system& sys,
                                      const std::shared_ptr<app_core>& core,
                                      std::string web_url) {
  auto& s = core->settings();
  cluster_runtime out;
  out.who.web_url = std::move(web_url);
  out.who.host = s.cluster_host.empty() ? "127.0.0.1" : s.cluster_host;
  if (s.worker_id.empty()) {
    // The machine's name, not the endpoint's address (127.0.0.1 on every
    // machine by default), and the process.
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0')
      std::snprintf(name, sizeof name, "%s", out.who.host.c_str());
    out.who.worker_id = std::string(name) + ":" + std::to_string(::getpid());
  } else {
    out.who.worker_id = s.worker_id;
  }
  out.who.incarnation = uuid4();
  core->direct_origin_topic = "__direct-" + out.who.incarnation;
  transport::kafka::producer_options opts;
  opts.bootstrap = core->bootstrap;
  opts.client_id = core->app_id + "-cluster";
  opts.extra = s.producer_properties;
  auto made = transport::kafka::producer::create(opts);
  if (!made)
    return made.error().with_context("cluster: ");
  out.producer = std::move(*made);
  out.gateway = spawn_gateway(sys, core, out.who);
  auto published = caf::actor_cast<gateway_api>(out.gateway);
  auto port = sys.has_openssl_manager()
                  ? caf::openssl::publish(published,
                                          static_cast<uint16_t>(s.cluster_port),
                                          out.who.host.c_str(), true)
                  : sys.middleman().publish(
                        published, static_cast<uint16_t>(s.cluster_port),
                        out.who.host.c_str(), true);
  if (!port) {
    caf::anon_send_exit(out.gateway, caf::exit_reason::user_shutdown);
    return faust::error(errc::invalid_argument,
                        "cluster: cannot listen on " + out.who.host + ":" +
                            std::to_string(s.cluster_port) + " (" +
                            sys.render(port.error()) + ")");
  }
  out.who.port = *port;
  out.member = spawn_cluster_member(sys, core, out.who, out.producer);
  faust::log().info("cluster: worker '{}' listens on {}:{}{}",
                    out.who.worker_id, out.who.host, out.who.port,
                    sys.has_openssl_manager() ? " (TLS)" : "");
  return out;
}

void close_endpoint(caf::actor_system& sys, cluster_runtime& cluster) {
  if (!cluster.gateway)
    return;
  (void)sys.middleman().unpublish(caf::actor_cast<gateway_api>(cluster.gateway),
                                  cluster.who.port);
  caf::anon_send_exit(cluster.gateway, caf::exit_reason::user_shutdown);
  cluster.gateway = nullptr;
}

result<void> leave_cluster(cluster_runtime& cluster, const std::string& app_id,
                           std::chrono::milliseconds timeout) {
  cluster.member = nullptr;
  if (!cluster.producer)
    return {};
  auto producer = std::move(cluster.producer);
  models::message m;
  m.topic = cluster_topic(app_id);
  m.partition = 0;
  m.key = cluster.who.worker_id;
  // Sent and flushed rather than `send_and_wait`: a record still queued
  // when the producer goes must not hold memory the report would free.
  producer->stop_waiting(); // a full queue gives up instead of waiting
  auto failed_before = producer->failures();
  auto written = [&]() -> result<void> {
    if (auto sent = producer->send(m); !sent)
      return sent.error();
    if (auto flushed = producer->flush(timeout); !flushed)
      return flushed.error();
    if (producer->failures() != failed_before)
      return faust::error(errc::delivery_failed,
                          "a record to the cluster topic was not delivered");
    return {};
  }();
  if (!written)
    return written.error().with_context(
        "cluster: the worker's tombstone was not written: ");
  return {};
}

} // namespace faust::internal
