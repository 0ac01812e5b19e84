#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace faust::internal {

/// The deadlines of an actor's pending calls behind one timer. A delayed
/// message per call would be a clock operation per call, and each wakes
/// CAF's clock thread; here a timer runs only for the earliest deadline,
/// and calls with the same timeout start none.
///
///     timer.add(call.deadline, id);
///     if (auto t = timer.rearm())
///       self->delayed_send(self, t->delay, timeout_atom::value, t->number);
///     ...
///     [self](timeout_atom, uint64_t number) {
///       for (auto id : timer.fired(number)) ...; // past their deadlines
///     }
class deadline_timer {
public:
  using clock = std::chrono::steady_clock;

  /// A timer to start: its number (what its message carries) and delay.
  struct start {
    uint64_t number;
    clock::duration delay;
  };

  void add(clock::time_point deadline, uint64_t id) {
    deadlines_.emplace(deadline, id);
  }
  void remove(clock::time_point deadline, uint64_t id) {
    deadlines_.erase({deadline, id});
  }

  /// The timer to start for the earliest deadline, unless the running one
  /// fires before it.
  std::optional<start> rearm() {
    if (deadlines_.empty())
      return std::nullopt;
    auto earliest = deadlines_.begin()->first;
    if (running_at_ && *running_at_ <= earliest)
      return std::nullopt;
    running_at_ = earliest;
    return start{++number_,
                 std::max(earliest - clock::now(), clock::duration{0})};
  }

  /// Timer `number` fired: the ids past their deadline, earliest first,
  /// taken out (none if the timer is stale: a later one replaced it). Call
  /// `rearm` after.
  std::vector<uint64_t> fired(uint64_t number) {
    std::vector<uint64_t> out;
    if (number != number_ || !running_at_)
      return out;
    // It fires at its time or later (a test's clock runs on its own).
    auto now = std::max(clock::now(), *running_at_);
    running_at_.reset();
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      out.push_back(deadlines_.begin()->second);
      deadlines_.erase(deadlines_.begin());
    }
    return out;
  }

private:
  std::set<std::pair<clock::time_point, uint64_t>> deadlines_;
  /// When the running timer fires (none: none runs).
  std::optional<clock::time_point> running_at_;
  uint64_t number_ = 0;
};

} // namespace faust::internal
