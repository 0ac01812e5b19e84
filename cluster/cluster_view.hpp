#pragma once

#include "cluster/announcement.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faust::cluster {

/// The cluster as the announcements on `<app_id>-__cluster` describe it,
/// folded in topic order: which workers there are, where their gateways
/// listen, and who owns each partition.
///
/// Each worker's newest record wins (a tombstone removes it). A
/// partition's owner is the worker that announced it in the newest group
/// generation: a SIGKILLed worker writes no tombstone, but once the group
/// has rebalanced, the survivors announce its partitions in a newer
/// generation, and a worker of an older generation is no longer a member.
///
/// A value, not an actor: workers and clients each fold their own copy
/// (one owner per copy).
class cluster_view {
public:
  /// Applies one record of the cluster topic: `value` is the record value
  /// (empty for a tombstone). A record that does not decode is skipped and
  /// its error returned (the view is unchanged).
  result<void> apply(std::string_view worker_id,
                     const std::optional<std::string_view>& value);
  /// Applies an announcement already decoded.
  void apply(announcement a);
  /// Removes a worker (its tombstone).
  void remove(std::string_view worker_id);

  /// The worker that owns `tp` as of the newest generation announcing it
  /// (during a rebalance that may be an older generation's worker), and
  /// the state it announced; empty if no worker announces it.
  ///
  /// The pointers this view hands out (here, `members`, `find`,
  /// `standbys_of`) are valid until the next `apply` or `remove`.
  struct ownership {
    const announcement* worker;
    partition_state state;
  };
  std::optional<ownership> owner_of(const models::topic_partition& tp) const;

  /// The members, by worker id: the workers that announced the newest
  /// group generation. (A worker that has not been assigned partitions yet,
  /// or whose announcement is from an older generation, is not listed: it
  /// is either not in the group yet, gone, or catching up with a rebalance
  /// in progress, and owns nothing the group still gives it.)
  std::vector<const announcement*> members() const;

  /// The newest group generation announced (-1 if none).
  int32_t generation() const;

  /// A worker's announcement, members or not.
  const announcement* find(std::string_view worker_id) const;

  /// The workers standing by for `tp` (members only).
  std::vector<const announcement*>
  standbys_of(const models::topic_partition& tp) const;

private:
  std::map<std::string, announcement, std::less<>> workers_;
};

} // namespace faust::cluster
