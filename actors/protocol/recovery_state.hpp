#pragma once

#include "actors/protocol/wire_error.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace faust::protocol {

/// Where a table partition's recovery stands.
enum class recovery_phase : uint8_t {
  /// Replaying the changelog into the store.
  recovering = 1,
  /// Recovered: the partition is active (or a standby caught up).
  ready,
  /// Revoked before the recovery finished (nothing to report).
  stale,
  /// The recovery failed (`failure` says why; the worker stops).
  failed,
};

/// What one table partition's recovery did: the partition actor's answer
/// to its table manager, and what a worker announces to its cluster.
struct recovery_state {
  std::string table;
  int32_t partition = 0;
  recovery_phase phase = recovery_phase::recovering;
  uint64_t records_read = 0;
  uint64_t records_applied = 0;
  int64_t took_ms = 0;
  std::optional<wire_error> failure;

  bool ok() const {
    return phase == recovery_phase::ready || phase == recovery_phase::stale;
  }
  bool operator==(const recovery_state&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, recovery_state& x) {
  return f(caf::meta::type_name("faust.recovery_state"), x.table, x.partition,
           x.phase, x.records_read, x.records_applied, x.took_ms, x.failure);
}

} // namespace faust::protocol
