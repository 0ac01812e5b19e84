#pragma once

#include "actors/internal/cluster_member.hpp"
#include "actors/internal/cluster_router.hpp"
#include "web/server.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace caf {
class actor_system;
}

namespace faust::internal {

class app_core;

/// The actors the views ask, once the worker runs. Published by the
/// starting thread when the worker is up and withdrawn when it stops; the
/// web server's thread only reads it (an atomic shared pointer: no lock
/// with an actor, no handle read while it is written).
struct view_actors {
  caf::actor_system* system = nullptr;
  /// This worker's cluster member (Kafka apps).
  cluster_member_api member;
  /// This process's router (Kafka apps).
  router_api router;
};

class view_actors_slot {
public:
  void publish(std::shared_ptr<const view_actors> actors) {
    current_.store(std::move(actors));
  }
  void withdraw() { current_.store(nullptr); }
  std::shared_ptr<const view_actors> get() const { return current_.load(); }

private:
  std::atomic<std::shared_ptr<const view_actors>> current_;
};

/// How long a view waits for an actor's answer.
constexpr std::chrono::milliseconds view_timeout{5000};

/// The worker's views. Read from counters (no actor is asked):
///   /healthz  alive (200 while the process serves HTTP at all);
///   /readyz   200 once no assigned partition is being recovered (a
///             worker with none assigned is ready), else 503 with progress;
///   /         the monitor's figures as JSON;
///   /metrics  the same in Prometheus' text format, named
///             `<app_id>_<figure>` (characters outside [a-zA-Z0-9_] as '_');
///   /table/, /table/{name}/  the tables (Faust's `{"name", "help"}`).
/// Answered by an actor (503 with the reason while it is not running, or
/// when it does not answer within `view_timeout`):
///   /assignment/  this worker's active and standby partitions (Faust's
///             `{"actives": {topic: [p]}, "standbys": {...}}`), from its
///             cluster member;
///   /router/, /router/{name}/  Faust's `router.tables_metadata()`:
///             `{worker_url: {changelog_topic: [p]}}`, from the cluster view;
///   /router/{name}/{key}/  the URL of the worker that owns the key (the
///             key in its text form, see `key_from_text`; 503 if no worker
///             owns its partition now);
///   /table/{name}/{key}/  the key's value as JSON, read on the owner of its
///             partition (here, or forwarded over CAF through the router
///             and the owner's gateway; Faust's `table_route`); with
///             `?stale=1` and no owner, from a standby, as `{"value": ...,
///             "stale": true, "lag": records}`; 404 `key not found`; 503
///             with the reason when no one can answer. A `memory://` app
///             reads its own partitions.
std::map<std::string, web::view>
worker_views(std::shared_ptr<const app_core> core,
             std::shared_ptr<const view_actors_slot> actors);

/// Why an app's own page may not be at `path` (a built-in view's place:
/// `/`, or a path whose first segment is a built-in view's, e.g.
/// `/table/...`; a path not starting with '/'), or empty if it may.
std::string page_path_refused(const std::string& path);

} // namespace faust::internal
