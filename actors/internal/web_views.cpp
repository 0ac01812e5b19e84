#include "actors/internal/web_views.hpp"

#include "actors/internal/app_core.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace faust::internal {

namespace {

/// One figure of the monitor: its name, Prometheus type, help and value.
struct figure {
  const char* name;
  const char* type;
  const char* help;
  int64_t value;
};

std::vector<figure> figures_of(const app_monitor& m) {
  auto u = [](const std::atomic<uint64_t>& a) {
    return static_cast<int64_t>(a.load(std::memory_order_relaxed));
  };
  return {
      {"events_total", "counter", "Events processed by agents",
       u(m.events_processed)},
      {"events_filtered_total", "counter", "Events dropped by filters",
       u(m.events_filtered)},
      {"decode_errors_total", "counter", "Records that did not decode",
       u(m.decode_errors)},
      {"agent_errors_total", "counter", "Events whose agent raised",
       u(m.agent_errors)},
      {"dead_lettered_total", "counter",
       "Records sent to the dead letter topic", u(m.dead_lettered)},
      {"total_sent_messages", "counter", "Records produced",
       u(m.messages_sent)},
      {"commits_total", "counter", "Offset commits", u(m.commits)},
      {"partitions_paused_total", "counter",
       "Times a partition was paused because its agents were behind",
       u(m.partitions_paused)},
      {"transactions_committed_total", "counter",
       "exactly_once transactions committed", u(m.transactions_committed)},
      {"transactions_aborted_total", "counter",
       "exactly_once transactions aborted", u(m.transactions_aborted)},
      {"hook_errors_total", "counter", "User hooks that raised",
       u(m.hook_errors)},
      {"broker_outages_total", "counter", "Times every broker was lost",
       u(m.broker_outages)},
      {"broker_reachable", "gauge", "1 while a broker answers",
       m.broker_reachable.load(std::memory_order_relaxed) ? 1 : 0},
      {"partitions_assigned", "gauge", "Partitions the group gave this worker",
       m.partitions_assigned.load(std::memory_order_relaxed)},
      {"partitions_recovering", "gauge",
       "Assigned partitions whose tables are being recovered",
       m.partitions_recovering.load(std::memory_order_relaxed)},
      {"table_batches_pending", "gauge",
       "Table store batches waiting for their changelog delivery",
       m.table_batches_pending.load(std::memory_order_relaxed)},
  };
}

web::response json(int status, std::string body) {
  return {status, "application/json", std::move(body) + "\n"};
}

} // namespace

std::string prometheus_name(const std::string& name) {
  std::string out = name;
  for (auto& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_';
    if (!ok)
      c = '_';
  }
  return out;
}

std::map<std::string, web::handler>
worker_views(std::shared_ptr<const app_core> core) {
  std::map<std::string, web::handler> views;
  views["/healthz"] = [] { return json(200, "{\"alive\": true}"); };
  views["/readyz"] = [core] {
    auto& m = core->stats;
    auto assigned = m.partitions_assigned.load(std::memory_order_relaxed);
    auto recovering = m.partitions_recovering.load(std::memory_order_relaxed);
    bool ready = recovering == 0;
    return json(
        ready ? 200 : 503,
        std::string("{\"ready\": ") + (ready ? "true" : "false") +
            ", \"partitions_assigned\": " + std::to_string(assigned) +
            ", \"partitions_recovering\": " + std::to_string(recovering) + "}");
  };
  views["/"] = [core] {
    std::string body = "{\"app\": " + web::json_string(core->app_id);
    for (auto& f : figures_of(core->stats))
      body += ", \"" + std::string(f.name) + "\": " + std::to_string(f.value);
    body += ", \"broker_unreachable_since_ms\": " +
            std::to_string(core->stats.broker_unreachable_since_ms.load(
                std::memory_order_relaxed));
    return json(200, body + "}");
  };
  views["/metrics"] = [core] {
    auto prefix = prometheus_name(core->app_id) + "_";
    std::string body;
    for (auto& f : figures_of(core->stats)) {
      auto name = prefix + f.name;
      body += "# HELP " + name + " " + f.help + "\n";
      body += "# TYPE " + name + " " + f.type + "\n";
      body += name + " " + std::to_string(f.value) + "\n";
    }
    return web::response{200, "text/plain; version=0.0.4; charset=utf-8",
                         std::move(body)};
  };
  return views;
}

} // namespace faust::internal
