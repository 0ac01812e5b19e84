#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faust::transport::kafka {

/// Whether a client still hears from the cluster: "no broker has answered
/// for `threshold`" is a state (the worker pauses and says so once), not a
/// stream of librdkafka warnings. Fed with the client's statistics
/// (`statistics.interval.ms`): a broker answered when its count of received
/// responses (`rx`) grew, `rxidle` ago. A killed broker goes DOWN, a stopped
/// one stays UP without answering: both are caught. Plain logic: the clock
/// is passed in.
class broker_liveness {
public:
  using clock = std::chrono::steady_clock;

  broker_liveness(std::chrono::milliseconds threshold, clock::time_point now)
      : threshold_(threshold), last_answer_(now) {}

  /// A statistics document arrived at `now`. Malformed ones are ignored.
  void on_statistics(std::string_view json, clock::time_point now);

  enum class change { none, lost, regained };
  /// What changed by `now`: `lost` once nothing answered for `threshold`,
  /// `regained` at the first answer after that.
  change check(clock::time_point now);

  bool reachable() const { return reachable_; }
  /// When a broker last answered.
  clock::time_point last_answer() const { return last_answer_; }

  /// One broker as the statistics describe it.
  struct broker_activity {
    std::string name;
    bool up = false;
    /// Responses received so far.
    int64_t responses = 0;
    /// Microseconds since the last one (-1 unless up).
    int64_t idle_us = -1;
  };
  static std::optional<std::vector<broker_activity>>
  parse(std::string_view json);

private:
  std::chrono::milliseconds threshold_;
  clock::time_point last_answer_;
  bool reachable_ = true;
  std::map<std::string, int64_t> responses_;
};

} // namespace faust::transport::kafka
