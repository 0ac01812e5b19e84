#include "cluster/standby_placement.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using namespace faust::cluster;

namespace {

/// Kafka's range assignment written out: which of `members` (names, in
/// sorted order) gets each partition.
std::vector<std::string> range_assign(const std::vector<std::string>& members,
                                      int32_t partitions) {
  std::vector<std::string> owner(static_cast<size_t>(partitions));
  auto m = static_cast<int32_t>(members.size());
  int32_t next = 0;
  for (int32_t i = 0; i < m; ++i) {
    int32_t count = partitions / m + (i < partitions % m ? 1 : 0);
    for (int32_t k = 0; k < count; ++k)
      owner[static_cast<size_t>(next++)] = members[static_cast<size_t>(i)];
  }
  return owner;
}

std::vector<std::string> names(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back("member-" + std::to_string(i));
  return out;
}

} // namespace

TEST_CASE("range_owner agrees with Kafka's range assignment") {
  for (int32_t partitions = 1; partitions <= 12; ++partitions)
    for (size_t members = 1; members <= 6; ++members) {
      auto owner = range_assign(names(members), partitions);
      for (int32_t p = 0; p < partitions; ++p)
        CHECK(names(members)[range_owner(p, partitions, members)] ==
              owner[static_cast<size_t>(p)]);
    }
}

TEST_CASE("standbys: exactly min(replicas, members - 1) per partition, never "
          "the owner, and the first is who owns it once its owner leaves") {
  for (int32_t partitions = 1; partitions <= 12; ++partitions)
    for (size_t members = 1; members <= 6; ++members)
      for (int replicas = 0; replicas <= 3; ++replicas) {
        auto all = names(members);
        auto owner = range_assign(all, partitions);
        auto placed = place_standbys(partitions, members, replicas);
        REQUIRE(placed.size() == static_cast<size_t>(partitions));
        auto wanted =
            std::min<size_t>(static_cast<size_t>(replicas), members - 1);
        for (int32_t p = 0; p < partitions; ++p) {
          auto& followers = placed[static_cast<size_t>(p)];
          CHECK(followers.size() == wanted);
          std::set<size_t> distinct(followers.begin(), followers.end());
          CHECK(distinct.size() == followers.size());
          for (auto f : followers)
            CHECK(all[f] != owner[static_cast<size_t>(p)]);
          if (wanted == 0)
            continue;
          // The owner leaves: the survivors' range assignment.
          auto survivors = all;
          std::erase(survivors, owner[static_cast<size_t>(p)]);
          auto after = range_assign(survivors, partitions);
          CHECK(all[followers.front()] == after[static_cast<size_t>(p)]);
        }
      }
}

TEST_CASE("standbys: with one replica, after any single departure every "
          "partition that moves lands on its standby (range's shifts "
          "between survivors included)") {
  for (int32_t partitions = 1; partitions <= 16; ++partitions)
    for (size_t members = 2; members <= 6; ++members) {
      auto all = names(members);
      auto owner = range_assign(all, partitions);
      auto placed = place_standbys(partitions, members, 1);
      for (size_t gone = 0; gone < members; ++gone) {
        auto survivors = all;
        survivors.erase(survivors.begin() + static_cast<long>(gone));
        auto after = range_assign(survivors, partitions);
        for (int32_t p = 0; p < partitions; ++p) {
          auto& now = after[static_cast<size_t>(p)];
          if (now != owner[static_cast<size_t>(p)]) {
            INFO(partitions, " partitions, ", members, " members, member ",
                 gone, " gone, partition ", p);
            CHECK(all[placed[static_cast<size_t>(p)].at(0)] == now);
          }
        }
      }
    }
}

TEST_CASE("standby_partitions_of: by member id in any order, nothing for a "
          "member not in the group") {
  std::vector<std::string> ids{"c-3", "a-1", "b-2"};
  // Sorted: a-1 owns 0,1; b-2 owns 2; c-3 owns 3 (4 partitions). With one
  // replica: 0 -> b-2, 1 -> b-2, 2 -> c-3, 3 -> b-2.
  CHECK(standby_partitions_of(ids, "b-2", 4, 1) ==
        std::vector<int32_t>{0, 1, 3});
  CHECK(standby_partitions_of(ids, "c-3", 4, 1) == std::vector<int32_t>{2});
  CHECK(standby_partitions_of(ids, "a-1", 4, 1).empty());
  CHECK(standby_partitions_of(ids, "z-9", 4, 1).empty());
  CHECK(standby_partitions_of(ids, "b-2", 4, 0).empty());
}
