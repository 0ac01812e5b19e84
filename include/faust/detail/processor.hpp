#pragma once

#include "faust/detail/record_batch.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace faust::internal {

/// Collects acks while an instance processes work; flushed to the consumer
/// in one message per work item (never one message per record).
class ack_buffer {
public:
  void add(uint32_t tp_id, int64_t offset) {
    list_.acks.emplace_back(tp_id, offset);
  }
  bool empty() const { return list_.acks.empty(); }
  ack_list take() { return std::exchange(list_, {}); }

private:
  ack_list list_;
};

/// What an agent instance actor offers the typed code that runs in it.
class processor_host {
public:
  virtual ~processor_host() = default;
  virtual ack_buffer& acks() = 0;
  /// Calls the processor's `on_timeout(token)` after `delay`.
  virtual void request_timeout(std::chrono::milliseconds delay,
                               uint64_t token) = 0;
};

/// How processing a piece of work ended.
struct process_outcome {
  /// waiting: the coroutine awaits something outside its stream (an ask's
  /// reply); the instance takes no work until `resume`, then goes on from
  /// `next`.
  enum status_t { ok, crashed, finished, waiting };
  status_t status = ok;
  /// Index of the first record not processed (for crashed and waiting).
  size_t next = 0;
  /// What the user code threw (for crashed).
  std::string reason;
};

/// Typed per-instance logic behind an agent instance actor: decodes
/// records, applies stream operators, calls the user's function or resumes
/// its coroutine, acks. Runs only inside its actor (single-threaded).
class processor {
public:
  virtual ~processor() = default;
  /// Called once when the instance starts (a coroutine runs to its first
  /// `co_await`).
  virtual process_outcome start(processor_host& host) = 0;
  /// Processes `batch->records[begin..]`.
  virtual process_outcome process(const batch_ptr& batch, size_t begin) = 0;
  /// A timeout requested through the host fired.
  virtual process_outcome on_timeout(uint64_t) { return {}; }
  /// What the coroutine waited for (after `waiting`) has arrived: resumes
  /// it. The instance then processes the rest of the batch.
  virtual process_outcome resume() { return {}; }
};

/// Makes the processor of instance number `index`.
using processor_factory =
    std::function<std::unique_ptr<processor>(size_t index)>;

} // namespace faust::internal
