#include "cluster/table_routes.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace faust::cluster {

namespace {

using json = nlohmann::ordered_json;

json partitions_by_topic(const std::map<std::string, std::set<int32_t>>& in) {
  json out = json::object();
  for (auto& [topic, partitions] : in)
    out[topic] = std::vector<int32_t>(partitions.begin(), partitions.end());
  return out;
}

std::string dumped(const json& j) {
  // Names come from settings: bytes that are not UTF-8 are replaced.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

std::string route_address(const announcement& worker) {
  return worker.web_url.empty() ? "worker:" + worker.worker_id : worker.web_url;
}

const announcement* owner_of_table_partition(
    const std::vector<const announcement*>& members, const table_route& table,
    int32_t partition,
    const std::function<int32_t(const std::string&)>& partitions_of) {
  for (auto* m : members)
    for (auto& a : m->active)
      if (a.tp.partition == partition &&
          partitions_of(a.tp.topic) == table.partitions)
        return m;
  return nullptr;
}

std::string table_routes_json(
    const std::vector<const announcement*>& members,
    const std::vector<table_route>& tables,
    const std::function<int32_t(const std::string&)>& partitions_of) {
  std::map<std::string, std::map<std::string, std::set<int32_t>>> routes;
  for (auto& t : tables)
    for (int32_t p = 0; p < t.partitions; ++p)
      if (auto* owner = owner_of_table_partition(members, t, p, partitions_of))
        routes[route_address(*owner)][t.changelog_topic].insert(p);
  json out = json::object();
  for (auto& [address, topics] : routes)
    out[address] = partitions_by_topic(topics);
  return dumped(out);
}

std::string assignment_json(const announcement& worker) {
  std::map<std::string, std::set<int32_t>> actives, standbys;
  for (auto& a : worker.active)
    actives[a.tp.topic].insert(a.tp.partition);
  for (auto& tp : worker.standby)
    standbys[tp.topic].insert(tp.partition);
  return dumped(json{{"actives", partitions_by_topic(actives)},
                     {"standbys", partitions_by_topic(standbys)}});
}

} // namespace faust::cluster
