#include "actors/internal/monitor_views.hpp"

#include "actors/internal/app_core.hpp"
#include "supervision/recent_problems.hpp"
#include "transport/kafka/producer.hpp"
#include "web/server.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace faust::internal {

namespace {

/// One of the worker's own counters: its name, Prometheus type, help and
/// value (in `/` and `/metrics` alike).
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
      {"events_filtered_total", "counter", "Events dropped by filters",
       u(m.events_filtered)},
      {"decode_errors_total", "counter", "Records that did not decode",
       u(m.decode_errors)},
      {"agent_errors_total", "counter", "Events whose agent raised",
       u(m.agent_errors)},
      {"dead_lettered_total", "counter",
       "Records sent to the dead letter topic", u(m.dead_lettered)},
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

uint64_t load(const std::atomic<uint64_t>& a) {
  return a.load(std::memory_order_relaxed);
}

/// A finite number as JSON and Prometheus both read it.
std::string number(double v) {
  if (!std::isfinite(v))
    return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

/// Durations in ms as a JSON list of seconds (Faust's unit).
std::string seconds_list(const std::vector<double>& ms) {
  std::string out = "[";
  for (size_t i = 0; i < ms.size(); ++i)
    out += (i ? ", " : "") + number(ms[i] / 1000.0);
  return out + "]";
}

template <class Map> std::string counts_object(const Map& m) {
  std::string out = "{";
  bool first = true;
  for (auto& [name, n] : m) {
    out +=
        (first ? "" : ", ") + web::json_string(name) + ": " + std::to_string(n);
    first = false;
  }
  return out + "}";
}

using offsets_by_topic = std::map<std::string, std::map<int32_t, int64_t>>;

std::string offsets_object(const offsets_by_topic& offsets) {
  std::string out = "{";
  bool first_topic = true;
  for (auto& [topic, parts] : offsets) {
    out += (first_topic ? "" : ", ") + web::json_string(topic) + ": {";
    bool first = true;
    for (auto& [p, offset] : parts) {
      out += (first ? "\"" : ", \"") + std::to_string(p) +
             "\": " + std::to_string(offset);
      first = false;
    }
    out += "}";
    first_topic = false;
  }
  return out + "}";
}

struct table_figures {
  uint64_t retrieved = 0, updated = 0, deleted = 0;
  /// The partitions active here: how many, about how many keys and bytes.
  uint64_t partitions = 0, keys = 0, bytes = 0;
};

std::map<std::string, table_figures> tables_of(const app_core& core,
                                               bool with_stores) {
  std::map<std::string, table_figures> out;
  for (auto& t : core.tables) {
    auto& f = out[t->name];
    for (auto& part : t->parts) {
      f.retrieved += load(part->ops.keys_retrieved);
      f.updated += load(part->ops.keys_updated);
      f.deleted += load(part->ops.keys_deleted);
      if (!with_stores)
        continue;
      if (auto store = part->readable()) {
        auto size = store->estimate();
        ++f.partitions;
        f.keys += size.keys;
        f.bytes += size.bytes;
      }
    }
  }
  return out;
}

std::string recoveries_list(const app_core& core) {
  std::string out = "[";
  bool first = true;
  for (auto& r : core.board->recoveries(std::chrono::steady_clock::now())) {
    out += std::string(first ? "" : ", ") +
           "{\"table\": " + web::json_string(r.table) +
           ", \"partition\": " + std::to_string(r.partition) +
           ", \"read\": " + std::to_string(r.read) +
           ", \"total\": " + std::to_string(r.total) +
           ", \"seconds\": " + number(r.seconds) +
           ", \"seconds_left\": " + number(r.seconds_left) + "}";
    first = false;
  }
  return out + "]";
}

std::string problems_list() {
  std::string out = "[";
  bool first = true;
  for (auto& p : recent_problems()) {
    out += std::string(first ? "" : ", ") +
           "{\"time_ms\": " + std::to_string(p.unix_ms) +
           ", \"level\": " + web::json_string(p.level) +
           ", \"message\": " + web::json_string(p.message) + "}";
    first = false;
  }
  return out + "]";
}

const char* state_of(const app_core& core) {
  auto& m = core.stats;
  if (!core.running.load())
    return "starting";
  if (!m.broker_reachable.load(std::memory_order_relaxed))
    return "broker unreachable";
  if (m.partitions_recovering.load(std::memory_order_relaxed) > 0)
    return "recovering";
  if (m.rebalancing.load(std::memory_order_relaxed))
    return "rebalancing";
  return "running";
}

uint64_t send_errors(const app_core& core) {
  return core.producer ? core.producer->failures() : 0;
}

/// Prometheus' text format, one family after another.
class exposition {
public:
  explicit exposition(std::string prefix) : prefix_(std::move(prefix)) {}

  void family(const std::string& name, const char* type, const char* help) {
    out_ += "# HELP " + prefix_ + name + " " + help + "\n";
    out_ += "# TYPE " + prefix_ + name + " " + type + "\n";
  }
  using labels = std::vector<std::pair<const char*, std::string>>;
  void sample(const std::string& name, const labels& ls, double value) {
    out_ += prefix_ + name;
    if (!ls.empty()) {
      out_ += "{";
      for (size_t i = 0; i < ls.size(); ++i)
        out_ += (i ? "," : "") + std::string(ls[i].first) + "=\"" +
                escaped(ls[i].second) + "\"";
      out_ += "}";
    }
    out_ += " " + number(value) + "\n";
  }
  void single(const std::string& name, const char* type, const char* help,
              double value) {
    family(name, type, help);
    sample(name, {}, value);
  }
  void histogram(const std::string& name, const char* help,
                 const transport::latency_histogram::snapshot& s) {
    family(name, "histogram", help);
    uint64_t cumulative = 0;
    auto& bounds = transport::latency_histogram::bounds;
    for (size_t i = 0; i < bounds.size(); ++i) {
      cumulative += s.buckets[i];
      sample(name + "_bucket", {{"le", number(bounds[i])}}, double(cumulative));
    }
    sample(name + "_bucket", {{"le", "+Inf"}}, double(s.count));
    sample(name + "_sum", {}, s.sum_ms);
    sample(name + "_count", {}, double(s.count));
  }
  std::string take() { return std::move(out_); }

private:
  static std::string escaped(const std::string& v) {
    std::string out;
    for (char c : v) {
      if (c == '\\' || c == '"')
        out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    return out;
  }
  std::string prefix_;
  std::string out_;
};

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

std::string monitor_json(const app_core& core) {
  auto& m = core.stats;
  auto& b = *core.board;
  auto rows = b.partitions();
  int64_t active = 0;
  offsets_by_topic read, committed, end;
  std::string partitions = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    auto& r = rows[i];
    active += r.in_flight;
    if (r.read_offset >= 0)
      read[r.tp.topic][r.tp.partition] = r.read_offset;
    if (r.committed_offset >= 0)
      committed[r.tp.topic][r.tp.partition] = r.committed_offset;
    if (r.end_offset >= 0)
      end[r.tp.topic][r.tp.partition] = r.end_offset;
    partitions +=
        std::string(i ? ", " : "") +
        "{\"topic\": " + web::json_string(r.tp.topic) +
        ", \"partition\": " + std::to_string(r.tp.partition) +
        ", \"received\": " + std::to_string(r.received) +
        ", \"read_offset\": " + std::to_string(r.read_offset) +
        ", \"committed_offset\": " + std::to_string(r.committed_offset) +
        ", \"end_offset\": " + std::to_string(r.end_offset) +
        ", \"lag\": " + std::to_string(r.lag()) +
        ", \"in_flight\": " + std::to_string(r.in_flight) +
        ", \"paused\": " + (r.paused ? "true" : "false") + "}";
  }
  partitions += "]";
  std::string tables = "{";
  bool first = true;
  for (auto& [name, t] : tables_of(core, true)) {
    tables += (first ? "" : ", ") + web::json_string(name) +
              ": {\"keys_retrieved\": " + std::to_string(t.retrieved) +
              ", \"keys_updated\": " + std::to_string(t.updated) +
              ", \"keys_deleted\": " + std::to_string(t.deleted) +
              ", \"partitions_here\": " + std::to_string(t.partitions) +
              ", \"keys\": " + std::to_string(t.keys) +
              ", \"bytes\": " + std::to_string(t.bytes) + "}";
    first = false;
  }
  tables += "}";
  auto f = [](const std::string& name, const std::string& value) {
    return ", \"" + name + "\": " + value;
  };
  auto n = [](uint64_t v) { return std::to_string(v); };
  std::string body = "{\"app\": " + web::json_string(core.app_id);
  body += f("state", web::json_string(state_of(core)));
  body += f("transport", core.uses_kafka() ? "\"kafka\"" : "\"memory\"");
  body += f("messages_active", std::to_string(active));
  body += f("messages_received_total", n(load(m.messages_received)));
  body += f("messages_received_by_topic", counts_object(b.received_by_topic()));
  body += f("messages_sent", n(load(m.messages_sent)));
  body += f("messages_sent_by_topic", counts_object(b.sent_by_topic()));
  body += f("messages_s", number(m.messages_per_second.load()));
  body += f("events_active", std::to_string(active));
  body += f("events_total", n(load(m.events_processed)));
  body += f("events_s", number(m.events_per_second.load()));
  body += f("events_runtime_avg", number(m.events_runtime_avg_ms / 1000.0));
  body += f("events_by_task", counts_object(b.events_by_agent()));
  body += f("commit_latency", seconds_list(b.recent_commits.list()));
  body += f("send_latency", seconds_list(b.recent_sends.list()));
  body += f("send_errors", n(send_errors(core)));
  body += f("assignment_latency", seconds_list(b.recent_assignments.list()));
  body += f("assignments_completed", n(load(m.assignments_completed)));
  body += f("assignments_failed", n(load(m.assignments_failed)));
  body += f("rebalances", n(load(m.rebalances)));
  body += f("tables", tables);
  body += f("topic_committed_offsets", offsets_object(committed));
  body += f("topic_read_offsets", offsets_object(read));
  body += f("topic_end_offsets", offsets_object(end));
  body += f("partitions", partitions);
  body += f("recoveries", recoveries_list(core));
  body += f("last_errors", problems_list());
  body += f("cluster",
            "{\"direct_calls\": " + n(load(m.cluster_direct_calls)) +
                ", \"fallback_calls\": " + n(load(m.cluster_fallback_calls)) +
                ", \"not_owner\": " + n(load(m.cluster_not_owner)) +
                ", \"retries\": " + n(load(m.cluster_retries)) +
                ", \"timeouts\": " + n(load(m.cluster_timeouts)) + "}");
  for (auto& fig : figures_of(m))
    body += f(fig.name, std::to_string(fig.value));
  body += f("broker_unreachable_since_ms",
            std::to_string(m.broker_unreachable_since_ms.load()));
  return body + "}";
}

std::string prometheus_metrics(const app_core& core) {
  auto& m = core.stats;
  auto& b = *core.board;
  exposition out(prometheus_name(core.app_id) + "_");
  auto rows = b.partitions();
  int64_t active = 0;
  for (auto& r : rows)
    active += r.in_flight;
  using labels = exposition::labels;
  // A gauge with a sample per assigned partition whose value is known
  // (not negative).
  auto per_partition = [&out, &rows](const char* name, const char* help,
                                     auto value_of) {
    out.family(name, "gauge", help);
    for (auto& r : rows)
      if (double v = double(value_of(r)); v >= 0)
        out.sample(name,
                   labels{{"topic", r.tp.topic},
                          {"partition", std::to_string(r.tp.partition)}},
                   v);
  };
  using row = monitor_board::partition_row;

  // faust-streaming's names (its counters end in _total, as
  // prometheus_client writes them).
  out.single("messages_received_total", "counter", "Total messages received",
             double(load(m.messages_received)));
  out.single("active_messages", "gauge", "Total active messages",
             double(active));
  out.family("messages_received_per_topic_total", "counter",
             "Messages received per topic");
  for (auto& [topic, count] : b.received_by_topic())
    out.sample("messages_received_per_topic_total", {{"topic", topic}},
               double(count));
  per_partition("messages_received_per_topics_partition",
                "Messages received per topic/partition (the last offset read)",
                [](const row& r) { return r.read_offset; });
  out.histogram("events_runtime_ms", "Events runtime in ms",
                b.events_runtime.read());
  out.single("total_events_total", "counter", "Total events received",
             double(load(m.events_processed)));
  out.single("total_active_events", "gauge", "Total active events",
             double(active));
  out.family("total_events_per_stream_total", "counter",
             "Events received per Stream");
  for (auto& [agent, count] : b.events_by_agent())
    out.sample("total_events_per_stream_total",
               {{"stream", "stream." + agent + ".events"}}, double(count));
  out.family("table_operations_total", "counter", "Total table operations");
  for (auto& [name, t] : tables_of(core, false)) {
    auto table = "table." + name;
    out.sample("table_operations_total",
               {{"table", table}, {"operation", "keys_retrieved"}},
               double(t.retrieved));
    out.sample("table_operations_total",
               {{"table", table}, {"operation", "keys_updated"}},
               double(t.updated));
    out.sample("table_operations_total",
               {{"table", table}, {"operation", "keys_deleted"}},
               double(t.deleted));
  }
  out.family("topic_messages_sent_total", "counter",
             "Total messages sent per topic");
  for (auto& [topic, count] : b.sent_by_topic())
    out.sample("topic_messages_sent_total", {{"topic", "topic." + topic}},
               double(count));
  out.single("total_sent_messages_total", "counter", "Total messages sent",
             double(load(m.messages_sent)));
  out.histogram("producer_send_latency", "Producer send latency in ms",
                b.send_latency.read());
  out.single("total_error_messages_sent_total", "counter",
             "Total error messages sent", double(send_errors(core)));
  out.family("assignment_operations_total", "counter",
             "Total assigment operations (completed/error)");
  out.sample("assignment_operations_total", {{"operation", "completed"}},
             double(load(m.assignments_completed)));
  out.sample("assignment_operations_total", {{"operation", "error"}},
             double(load(m.assignments_failed)));
  out.histogram("assign_latency", "Assignment latency in ms",
                b.assignment_latency.read());
  out.single("total_rebalances", "gauge", "Total rebalances",
             double(load(m.rebalances)));
  out.single("total_rebalances_recovering", "gauge",
             "Total rebalances recovering",
             double(m.partitions_recovering.load() > 0 ? 1 : 0));
  per_partition("topic_partition_end_offset", "Offset ends per topic/partition",
                [](const row& r) { return r.end_offset; });
  per_partition("topic_partition_offset_commited",
                "Offset commited per topic/partition",
                [](const row& r) { return r.committed_offset; });
  out.histogram("consumer_commit_latency", "Consumer commit latency in ms",
                b.commit_latency.read());

  // Ours.
  per_partition("consumer_lag",
                "Records between the committed offset and the end offset",
                [](const row& r) { return r.lag(); });
  per_partition("partition_paused",
                "1 while the partition is paused (its agents are behind)",
                [](const row& r) { return r.paused ? 1 : 0; });
  out.single("events_per_second", "gauge", "Events per second (last second)",
             m.events_per_second.load());
  out.single("messages_per_second", "gauge",
             "Messages received per second (last second)",
             m.messages_per_second.load());
  out.family("cluster_calls_total", "counter",
             "Calls to agents routed by this process, by path");
  out.sample("cluster_calls_total", {{"path", "direct"}},
             double(load(m.cluster_direct_calls)));
  out.sample("cluster_calls_total", {{"path", "fallback"}},
             double(load(m.cluster_fallback_calls)));
  out.single("cluster_not_owner_total", "counter",
             "Direct calls answered not_owner",
             double(load(m.cluster_not_owner)));
  out.single("cluster_retries_total", "counter",
             "Direct calls sent again after not_owner",
             double(load(m.cluster_retries)));
  out.single("cluster_timeouts_total", "counter",
             "Calls that got no answer in time",
             double(load(m.cluster_timeouts)));
  for (auto& fig : figures_of(m))
    out.single(fig.name, fig.type, fig.help, double(fig.value));
  return out.take();
}

} // namespace faust::internal
