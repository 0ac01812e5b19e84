#pragma once

#include "cluster/announcement.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

/// Which worker serves which table partitions, as Faust's router gives it
/// (`app.router`, the `/router/` and `/assignment/` views).
namespace faust::cluster {

/// A table as the routes describe it.
struct table_route {
  std::string name;
  std::string changelog_topic;
  int32_t partitions = 0;
};

/// A worker's address in the routes: its web URL, or `worker:<id>` for a
/// worker that serves no web views.
std::string route_address(const announcement& worker);

/// The member among `members` that owns partition `partition` of `table`:
/// the one whose active partitions include that partition of a topic with
/// the table's partition count (a table is co-partitioned with the stream
/// that writes it, as the table manager recovers it). Null if none.
/// `partitions_of` gives a topic's partition count (<= 0: unknown).
const announcement* owner_of_table_partition(
    const std::vector<const announcement*>& members, const table_route& table,
    int32_t partition,
    const std::function<int32_t(const std::string&)>& partitions_of);

/// Faust's `router.tables_metadata()` for `tables` (actives only): JSON
/// `{address: {changelog_topic: [partitions]}}`, addresses and partitions
/// in order.
std::string table_routes_json(
    const std::vector<const announcement*>& members,
    const std::vector<table_route>& tables,
    const std::function<int32_t(const std::string&)>& partitions_of);

/// Faust's `/assignment/` of one worker: JSON `{"actives": {topic:
/// [partitions]}, "standbys": {topic: [partitions]}}`.
std::string assignment_json(const announcement& worker);

} // namespace faust::cluster
