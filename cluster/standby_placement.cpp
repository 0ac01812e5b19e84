#include "cluster/standby_placement.hpp"

#include <algorithm>

namespace faust::cluster {

size_t range_owner(int32_t partition, int32_t partitions, size_t members) {
  auto p = static_cast<size_t>(partition);
  auto per_member = static_cast<size_t>(partitions) / members;
  auto with_extra = static_cast<size_t>(partitions) % members;
  // The first `with_extra` members hold `per_member + 1` partitions each.
  auto in_longer = with_extra * (per_member + 1);
  if (p < in_longer)
    return p / (per_member + 1);
  return with_extra + (p - in_longer) / per_member;
}

std::vector<std::vector<size_t>> place_standbys(int32_t partitions,
                                                size_t members, int replicas) {
  std::vector<std::vector<size_t>> out(
      static_cast<size_t>(std::max(partitions, 0)));
  if (members < 2 || replicas <= 0)
    return out;
  auto wanted = std::min(static_cast<size_t>(replicas), members - 1);
  for (int32_t p = 0; p < partitions; ++p) {
    auto& chosen = out[static_cast<size_t>(p)];
    auto owner = range_owner(p, partitions, members);
    auto take = [&](size_t m) {
      if (m != owner && chosen.size() < wanted &&
          std::find(chosen.begin(), chosen.end(), m) == chosen.end())
        chosen.push_back(m);
    };
    // Who owns p once member `gone` has left (indices among all members).
    auto owner_without = [&](size_t gone) {
      auto i = range_owner(p, partitions, members - 1);
      return i < gone ? i : i + 1;
    };
    take(owner_without(owner));
    for (size_t gone = 0; gone < members; ++gone)
      if (gone != owner)
        take(owner_without(gone));
    for (size_t step = 1; step < members; ++step)
      take((owner + step) % members);
  }
  return out;
}

std::vector<int32_t> standby_partitions_of(std::vector<std::string> member_ids,
                                           const std::string& self,
                                           int32_t partitions, int replicas) {
  std::sort(member_ids.begin(), member_ids.end());
  std::vector<int32_t> out;
  auto it = std::find(member_ids.begin(), member_ids.end(), self);
  if (it == member_ids.end())
    return out;
  auto me = static_cast<size_t>(it - member_ids.begin());
  auto placed = place_standbys(partitions, member_ids.size(), replicas);
  for (int32_t p = 0; p < partitions; ++p) {
    auto& followers = placed[static_cast<size_t>(p)];
    if (std::find(followers.begin(), followers.end(), me) != followers.end())
      out.push_back(p);
  }
  return out;
}

} // namespace faust::cluster
