#pragma once

#include "faust/monitor.hpp"
#include "models/message.hpp"
#include "transport/latency_histogram.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace faust::internal {

/// One topic partition's figures while this worker's consumer has it
/// assigned. Its one writer is the consumer actor (per batch of records,
/// never per record); scrapes read it from other threads.
struct partition_figures {
  explicit partition_figures(models::topic_partition where)
      : tp(std::move(where)) {}

  const models::topic_partition tp;
  /// Records handed to the agents, and the offset of the last one.
  std::atomic<uint64_t> received{0};
  std::atomic<int64_t> read_offset{-1};
  /// The offset committed for the group (the next record to process), and
  /// the broker's end offset (high watermark) as last heard; -1: unknown.
  std::atomic<int64_t> committed_offset{-1};
  std::atomic<int64_t> end_offset{-1};
  /// Records handed on and not yet acked.
  std::atomic<int64_t> in_flight{0};
  /// Paused because its agents are behind.
  std::atomic<bool> paused{false};

  /// `n` more records handed on, the last at `last_offset` (one writer).
  void handed_on(uint64_t n, int64_t last_offset) {
    received.store(received.load(std::memory_order_relaxed) + n,
                   std::memory_order_relaxed);
    read_offset.store(last_offset, std::memory_order_relaxed);
  }
};

/// One table partition's recovery in progress (its recovery writes `read`;
/// scrapes read it).
struct recovery_figures {
  recovery_figures(std::string table_name, int32_t number, uint64_t records)
      : table(std::move(table_name)), partition(number), total(records) {}
  const std::string table;
  const int32_t partition;
  /// Changelog records to read, and read so far.
  const uint64_t total;
  std::atomic<uint64_t> read{0};
  const std::chrono::steady_clock::time_point started =
      std::chrono::steady_clock::now();
};

/// The latest durations of something rare (commits, assignments, or a
/// per-second mean), as Faust keeps them in bounded deques.
class recent_durations {
public:
  explicit recent_durations(size_t keep) : keep_(keep) {}
  void push(double ms);
  /// Oldest first.
  std::vector<double> list() const;

private:
  mutable std::mutex mtx_;
  std::deque<double> values_;
  size_t keep_;
};

/// What the monitor keeps beyond `app_monitor`'s counters: per-partition
/// and per-agent figures, latency histograms, per-second rates. The hot
/// paths write only atomics they own or relaxed counters, once per batch;
/// the lock here is taken at assignments, revokes, per-second samples and
/// scrapes.
class monitor_board {
public:
  // -- partitions --

  /// The figures of `tp`, assigned now (the consumer keeps the pointer).
  std::shared_ptr<partition_figures> assign(const models::topic_partition& tp);
  /// `tp` is revoked: its figures go (Faust clears them at a rebalance);
  /// its records stay counted in its topic's total.
  void revoke(const models::topic_partition& tp);

  /// One assigned partition's figures, read now.
  struct partition_row {
    models::topic_partition tp;
    uint64_t received = 0;
    int64_t read_offset = -1;
    int64_t committed_offset = -1;
    int64_t end_offset = -1;
    int64_t in_flight = 0;
    bool paused = false;
    /// end - committed once both are known; -1 otherwise.
    int64_t lag() const {
      return end_offset >= 0 && committed_offset >= 0
                 ? std::max<int64_t>(0, end_offset - committed_offset)
                 : -1;
    }
  };
  std::vector<partition_row> partitions() const;
  /// Records handed to the agents per topic, revoked partitions included.
  std::map<std::string, uint64_t> received_by_topic() const;

  // -- recoveries --

  /// A recovery of `total` records begins (it keeps the pointer and ends
  /// with `recovery_ended`).
  std::shared_ptr<recovery_figures>
  recovery_began(const std::string& table, int32_t partition, uint64_t total);
  void recovery_ended(const recovery_figures* r);
  /// A recovery in progress, read at `now`.
  struct recovery_row {
    std::string table;
    int32_t partition = 0;
    uint64_t read = 0;
    uint64_t total = 0;
    double seconds = 0;
    /// At the rate so far; -1 before the first record.
    double seconds_left = -1;
  };
  std::vector<recovery_row>
  recoveries(std::chrono::steady_clock::time_point now) const;

  // -- agents --

  /// The event counter of agent `name` (made before start; its instances
  /// add to it once per batch).
  std::shared_ptr<std::atomic<uint64_t>> agent_events(const std::string& name);
  std::map<std::string, uint64_t> events_by_agent() const;

  // -- what the producer sent (from its statistics) --

  void set_sent_by_topic(std::map<std::string, int64_t> sent);
  std::map<std::string, int64_t> sent_by_topic() const;

  // -- latencies --

  /// How long events took in their agents (each batch timed once, its
  /// events counted at its mean).
  transport::latency_histogram events_runtime;
  /// From a commit's request to its answer.
  transport::latency_histogram commit_latency;
  /// From a record's send to its delivery report (librdkafka's own
  /// measure: no clock read per record).
  transport::latency_histogram send_latency;
  /// From the group's assignment to the partitions being ready (tables
  /// recovered).
  transport::latency_histogram assignment_latency;
  recent_durations recent_commits{30};
  recent_durations recent_assignments{30};
  /// The mean send latency of each second that had deliveries.
  recent_durations recent_sends{30};

  // -- rates --

  /// Takes a sample (call about once a second): sets `m`'s events and
  /// messages per second and the mean event runtime over the time since
  /// the previous sample.
  void sample(app_monitor& m, std::chrono::steady_clock::time_point now);

private:
  mutable std::mutex mtx_;
  std::map<models::topic_partition, std::shared_ptr<partition_figures>>
      assigned_;
  std::map<std::string, uint64_t> received_before_; // revoked partitions
  std::vector<std::shared_ptr<recovery_figures>> recovering_;
  std::map<std::string, std::shared_ptr<std::atomic<uint64_t>>> agents_;
  std::map<std::string, int64_t> sent_by_topic_;

  struct last_sample {
    std::chrono::steady_clock::time_point at;
    uint64_t events = 0;
    uint64_t messages = 0;
    transport::latency_histogram::snapshot runtime;
    transport::latency_histogram::snapshot sends;
  };
  std::optional<last_sample> last_;
};

} // namespace faust::internal
