#pragma once

#include "web/server.hpp"

#include <map>
#include <memory>
#include <string>

namespace faust::internal {

class app_core;

/// The worker's views, each read from counters (no actor is asked):
///   /healthz  alive (200 while the process serves HTTP at all);
///   /readyz   200 once no assigned partition is being recovered (a
///             worker with none assigned is ready), else 503 with progress;
///   /         the monitor's figures as JSON;
///   /metrics  the same in Prometheus' text format, named
///             `<app_id>_<figure>` (characters outside [a-zA-Z0-9_] as '_').
std::map<std::string, web::handler>
worker_views(std::shared_ptr<const app_core> core);

/// `name` as a Prometheus metric name part.
std::string prometheus_name(const std::string& name);

} // namespace faust::internal
