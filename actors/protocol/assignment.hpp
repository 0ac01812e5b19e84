#pragma once

#include "actors/protocol/inspect_support.hpp"
#include "models/message.hpp"

#include <vector>

namespace faust::protocol {

/// Topic partitions named in a rebalance signal: the consumer tells its
/// subscribers and the table manager (assigned_atom, assignment),
/// (revoked_atom, assignment), and (release_atom, revoked, remaining,
/// lost) where `lost` says the group took them without a revoke.
struct assignment {
  std::vector<models::topic_partition> partitions;
  bool operator==(const assignment&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, assignment& x) {
  return f(caf::meta::type_name("faust.assignment"), x.partitions);
}

} // namespace faust::protocol
