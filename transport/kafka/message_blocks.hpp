#pragma once

#include "models/message.hpp"
#include "transport/kafka/fetched_run.hpp"

#include <librdkafka/rdkafka.h>

#include <array>
#include <atomic>
#include <memory>
#include <string_view>
#include <vector>

namespace faust::transport::kafka {

/// The consumer's message structs, reused from one fetched run to the next.
///
/// Turning a librdkafka record into a `models::message` copies its topic
/// name and headers into strings, and a fresh message allocates them every
/// time (a repartition topic's name is longer than a string holds inline).
/// A block's messages keep their strings' and header vectors' capacity when
/// the block comes back, so a warm consumer fills messages without
/// allocating. Keys and values are not copied: they view librdkafka's
/// buffers, which a run keeps alive as long as any `bytes` views them.
///
/// Blocks come back from whichever thread drops the last reference to a
/// run (the threads that processed it); the pool is lock-free and keeps up
/// to `kept_messages` messages' worth of blocks (a worker has a few dozen
/// runs in flight, one per partition and poll), freeing the rest.
class message_blocks : public std::enable_shared_from_this<message_blocks> {
public:
  /// Makes a pool; blocks are handed out through `fill`.
  static std::shared_ptr<message_blocks> make();
  ~message_blocks();
  message_blocks(const message_blocks&) = delete;
  message_blocks& operator=(const message_blocks&) = delete;

  /// `run`'s records as messages of its topic in a block from the pool;
  /// the messages' owner keeps the run (and so its client) alive.
  fetched_messages fill(fetched_run&& run);

  /// Blocks kept for reuse at most.
  static constexpr size_t kept = 32;
  /// Messages kept for reuse at most, over all kept blocks (~350 bytes
  /// each with their strings: ~6 MiB; freed by the consumer
  /// after a burst).
  static constexpr size_t kept_messages = 16384;

private:
  message_blocks() = default;
  struct block;
  block* take();
  void give_back(block* b);

  std::array<std::atomic<block*>, kept> free_{};
  /// Messages in the blocks of `free_`.
  std::atomic<size_t> free_messages_{0};
};

} // namespace faust::transport::kafka
