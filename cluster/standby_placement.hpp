#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace faust::cluster {

/// Which member owns `partition` of a topic of `partitions` under Kafka's
/// `range` assignor, with `members` members sorted by member id: member i
/// gets `partitions / members` consecutive partitions, and the first
/// `partitions % members` members one more (librdkafka's range assignor).
size_t range_owner(int32_t partition, int32_t partitions, size_t members);

/// Standby placement for a topic of `partitions` over `members` members
/// (sorted by member id; indices into that order): for each partition, the
/// members that follow its changelog, at most `replicas`, never its owner.
///
/// `range` is deterministic given the members but not sticky: one
/// departure moves the departed member's partitions and also shifts others
/// between survivors. So the members chosen first are the ones that would
/// own the partition after a single departure: after its owner's first
/// (the takeover a standby is for), then after each other member's, in
/// member order. Any places left go to the members after the owner.
std::vector<std::vector<size_t>> place_standbys(int32_t partitions,
                                                size_t members, int replicas);

/// The partitions the member with id `self` stands by for, given the
/// group's member ids (any order); empty if `self` is not among them.
std::vector<int32_t> standby_partitions_of(std::vector<std::string> member_ids,
                                           const std::string& self,
                                           int32_t partitions, int replicas);

} // namespace faust::cluster
