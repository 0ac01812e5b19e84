// The `cluster` command: the cluster view as a client reads it from the
// app's cluster topic.
#include "actors/internal/app_core.hpp"
#include "actors/internal/cluster_member.hpp"
#include "cluster/cluster_view.hpp"
#include "faust/app.hpp"
#include "transport/kafka/partition_reader.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <set>

namespace faust {

namespace {

/// `topic[0,1,3] other[2]`, topics and partitions in order.
std::string partition_listing(const std::vector<models::topic_partition>& tps) {
  std::map<std::string, std::set<int32_t>> by_topic;
  for (auto& tp : tps)
    by_topic[tp.topic].insert(tp.partition);
  std::string out;
  for (auto& [topic, parts] : by_topic) {
    out += (out.empty() ? "" : " ") + topic + "[";
    bool first = true;
    for (auto p : parts) {
      out += (first ? "" : ",") + std::to_string(p);
      first = false;
    }
    out += "]";
  }
  return out.empty() ? "-" : out;
}

nlohmann::ordered_json partition_json(const models::topic_partition& tp) {
  return {{"topic", tp.topic}, {"partition", tp.partition}};
}

} // namespace

int app::cluster_command(bool as_json) {
  if (!core_->uses_kafka()) {
    std::cerr << "cluster needs a Kafka broker: the app's broker is "
              << settings().broker << "\n";
    return 2;
  }
  if (auto connected = core_->connect(); !connected) {
    std::cerr << connected.error().message << "\n";
    return 1;
  }
  auto& s = settings();
  auto reader = transport::kafka::partition_reader::create(
      {.bootstrap = core_->bootstrap,
       .client_id = core_->app_id + "-cluster-view",
       .extra = s.consumer_properties});
  if (!reader) {
    std::cerr << reader.error().message << "\n";
    return 1;
  }
  models::topic_partition tp{internal::cluster_topic(core_->app_id), 0};
  auto marks = (*reader)->watermarks(tp, s.broker_request_timeout);
  if (!marks) {
    std::cerr << "cannot read the cluster topic '" << tp.topic
              << "': " << marks.error().message << "\n";
    return 1;
  }
  cluster::cluster_view view;
  size_t skipped = 0;
  auto read = (*reader)->read(
      {{tp, marks->first, marks->second}},
      [&](const models::message& m) {
        if (!m.key)
          return;
        std::optional<std::string_view> value;
        if (m.value)
          value = std::string_view(*m.value);
        if (auto applied = view.apply(std::string_view(*m.key), value);
            !applied) {
          ++skipped;
          std::cerr << "skipped: " << applied.error().message << "\n";
        }
      },
      s.broker_request_timeout);
  if (!read) {
    std::cerr << "cannot read the cluster topic '" << tp.topic
              << "': " << read.error().message << "\n";
    return 1;
  }
  auto members = view.members();
  // The owner of the leader topic's partition, if a member announced it.
  auto leader = view.owner_of({core_->leader_topic, 0});
  if (leader && leader->worker->generation != view.generation())
    leader.reset();
  if (as_json) {
    auto workers = nlohmann::ordered_json::array();
    for (auto* w : members) {
      auto active = nlohmann::ordered_json::array();
      for (auto& p : w->active) {
        auto j = partition_json(p.tp);
        j["state"] = std::string(to_string(p.state));
        active.push_back(std::move(j));
      }
      auto standby = nlohmann::ordered_json::array();
      for (auto& p : w->standby)
        standby.push_back(partition_json(p));
      workers.push_back({{"worker", w->worker_id},
                         {"host", w->host},
                         {"port", w->port},
                         {"incarnation", w->incarnation},
                         {"member_id", w->member_id},
                         {"generation", w->generation},
                         {"active", std::move(active)},
                         {"standby", std::move(standby)}});
    }
    nlohmann::ordered_json out{{"app", core_->app_id},
                               {"generation", view.generation()},
                               {"workers", std::move(workers)},
                               {"leader", nullptr}};
    if (leader)
      out["leader"] = leader->worker->worker_id;
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::cout << "Cluster of app '" << core_->app_id << "' (group generation "
            << view.generation() << ", " << members.size()
            << " workers, leader "
            << (leader ? leader->worker->worker_id : std::string("unknown"))
            << ")\n";
  std::cout << "worker\tendpoint\tincarnation\tgeneration\tactive\tstate\t"
               "standby\n";
  for (auto* w : members) {
    std::vector<models::topic_partition> active;
    size_t recovering = 0;
    for (auto& p : w->active) {
      active.push_back(p.tp);
      recovering += p.state == cluster::partition_state::recovering;
    }
    std::cout << w->worker_id << "\t" << w->host << ":" << w->port << "\t"
              << w->incarnation << "\t" << w->generation << "\t"
              << partition_listing(active) << "\t"
              << (recovering ? std::to_string(recovering) + " recovering"
                             : std::string("ready"))
              << "\t" << partition_listing(w->standby) << "\n";
  }
  return 0;
}

} // namespace faust
