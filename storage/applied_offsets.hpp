#pragma once

#include "models/message.hpp"
#include "storage/origin.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>

namespace faust::storage {

/// The offsets a table partition's state reflects. They only move forward:
/// advancing to an older offset changes nothing.
struct applied_offsets {
  /// Per source partition (the origin of the records that changed the
  /// table): the last source offset whose effect is in the state.
  std::map<models::topic_partition, int64_t> sources;
  /// The last changelog offset whose record is in the state; empty if none
  /// (replay the changelog from its start).
  std::optional<int64_t> changelog;

  void advance_source(const models::topic_partition& tp, int64_t offset) {
    auto [it, fresh] = sources.try_emplace(tp, offset);
    if (!fresh)
      it->second = std::max(it->second, offset);
  }
  void advance_changelog(int64_t offset) {
    changelog = changelog ? std::max(*changelog, offset) : offset;
  }
  /// Advances by every offset of `other`.
  void merge(const applied_offsets& other) {
    for (auto& [tp, offset] : other.sources)
      advance_source(tp, offset);
    if (other.changelog)
      advance_changelog(*other.changelog);
  }
  /// True if the state reflects source record `o` (or a later record of its
  /// partition).
  bool reflects(const origin& o) const {
    auto it = sources.find(o.tp);
    return it != sources.end() && o.offset <= it->second;
  }
  bool empty() const { return sources.empty() && !changelog; }
};

} // namespace faust::storage
