#include "cluster/table_routes.hpp"

#include <doctest/doctest.h>

using faust::cluster::announcement;
using faust::cluster::owner_of_table_partition;
using faust::cluster::partition_state;
using faust::cluster::table_route;
using faust::cluster::table_routes_json;
using faust::models::topic_partition;

namespace {

announcement worker(std::string id, std::string url,
                    std::vector<topic_partition> active) {
  announcement a;
  a.worker_id = std::move(id);
  a.web_url = std::move(url);
  for (auto& tp : active)
    a.active.push_back({tp, partition_state::ready});
  return a;
}

/// "views" and "clicks" have 4 partitions, "other" 2, the rest are unknown.
int32_t partitions_of(const std::string& topic) {
  if (topic == "views" || topic == "clicks")
    return 4;
  return topic == "other" ? 2 : 0;
}

} // namespace

TEST_CASE("table routes: a table partition belongs to the worker active for "
          "that partition of a stream with as many partitions") {
  auto w1 = worker("w1", "http://h1:6066",
                   {{"views", 0}, {"views", 1}, {"other", 0}});
  auto w2 = worker("w2", "", {{"views", 2}, {"views", 3}, {"other", 1}});
  std::vector<const announcement*> members{&w1, &w2};
  table_route counts{"counts", "app-counts-changelog", 4};
  table_route pairs{"pairs", "app-pairs-changelog", 2};
  CHECK(owner_of_table_partition(members, counts, 1, partitions_of) == &w1);
  CHECK(owner_of_table_partition(members, counts, 3, partitions_of) == &w2);
  // A 2-partition table follows the 2-partition topic, not "views".
  CHECK(owner_of_table_partition(members, pairs, 1, partitions_of) == &w2);
  CHECK(owner_of_table_partition(members, pairs, 0, partitions_of) == &w1);
  CHECK(owner_of_table_partition({&w1}, counts, 2, partitions_of) == nullptr);
  // Faust's tables_metadata: a worker without a web server by its id.
  CHECK(table_routes_json(members, {counts, pairs}, partitions_of) ==
        R"({"http://h1:6066":{"app-counts-changelog":[0,1],)"
        R"("app-pairs-changelog":[0]},"worker:w2":{"app-counts-changelog":)"
        R"([2,3],"app-pairs-changelog":[1]}})");
  CHECK(table_routes_json({}, {counts}, partitions_of) == "{}");
}

TEST_CASE("table routes: a worker's assignment as Faust's /assignment/") {
  auto w = worker("w1", "", {{"views", 2}, {"clicks", 0}, {"views", 0}});
  w.standby = {{"app-counts-changelog", 3}, {"app-counts-changelog", 1}};
  CHECK(faust::cluster::assignment_json(w) ==
        R"({"actives":{"clicks":[0],"views":[0,2]},)"
        R"("standbys":{"app-counts-changelog":[1,3]}})");
  CHECK(faust::cluster::assignment_json(announcement{}) ==
        R"({"actives":{},"standbys":{}})");
}
