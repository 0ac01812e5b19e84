#pragma once

#include <cstdint>
#include <string_view>

namespace faust::storage {

/// Who has one table partition on this worker, and what may happen next: the
/// state machine its table partition actor keeps (plain logic, no actors).
///
///     unassigned --follow--> standby --assign--> recovering --recovered-->
///     active --lend--> lent --returned--> active
///     recovering --revoke--> standby | unassigned     (recovery abandoned)
///     active --revoke--> handing_over --handed_over--> standby | unassigned
///     lent --revoke--> handing_over (waits for the write side to return)
///
/// Every assignment and revoke bumps the generation, so work that finishes
/// for an earlier assignment (a recovery slice, a returned write side) is
/// recognised as stale.
class partition_custody {
public:
  enum class role {
    /// Another worker owns it and no standby is kept.
    unassigned,
    /// Another worker owns it; this worker follows its changelog.
    standby,
    /// Assigned here; the changelog is being replayed into the store.
    recovering,
    /// Recovered; the write side waits here for the agent that writes it.
    active,
    /// The agent instance that processes the partition holds the write side.
    lent,
    /// Revoked; what was written is being made durable before it goes.
    handing_over,
  };

  role current() const { return role_; }
  uint64_t generation() const { return generation_; }
  /// Assigned here (recovering, active or lent).
  bool assigned() const {
    return role_ == role::recovering || role_ == role::active ||
           role_ == role::lent;
  }

  /// Another worker owns the partition: keep a standby (from unassigned).
  /// False if the partition is assigned here or being handed over.
  bool follow();
  /// The standby placement moved this partition's standby elsewhere: stop
  /// following (from standby). False if it is not a standby here.
  bool unfollow();
  /// The group gave the partition to this worker: recovery begins. Returns
  /// the new generation; an assignment while already assigned keeps the
  /// current one.
  uint64_t assign();
  /// The recovery of `generation` is complete: true (now active) unless
  /// the partition was revoked meanwhile.
  bool recovered(uint64_t generation);
  /// The writer took the write side (from active).
  void lend();
  /// The write side came back. True if the partition is being handed over
  /// (finish with `handed_over`); false if it stays active.
  bool returned();

  /// What a revoke asks of the actor.
  enum class on_revoke {
    /// Not assigned here: nothing to do.
    nothing,
    /// Drop the recovery in progress.
    abandon_recovery,
    /// Hand the write side over now (it is here).
    hand_over,
    /// Ask the holder for the write side, then hand it over.
    recall,
  };
  on_revoke revoke();
  /// The handover is done: a standby now (`keep`), or unassigned.
  void handed_over(bool keep);

  static std::string_view name(role r);

private:
  role role_ = role::unassigned;
  uint64_t generation_ = 0;
};

} // namespace faust::storage
