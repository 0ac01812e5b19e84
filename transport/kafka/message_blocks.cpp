#include "transport/kafka/message_blocks.hpp"

#include "transport/kafka/record_view.hpp"

namespace faust::transport::kafka {

struct message_blocks::block {
  std::vector<models::message> messages;
  /// How many of `messages` the current run uses.
  size_t used = 0;
};

std::shared_ptr<message_blocks> message_blocks::make() {
  return std::shared_ptr<message_blocks>(new message_blocks());
}

message_blocks::~message_blocks() {
  for (auto& slot : free_)
    delete slot.exchange(nullptr);
}

message_blocks::block* message_blocks::take() {
  for (auto& slot : free_)
    if (slot.load(std::memory_order_relaxed))
      if (auto* b = slot.exchange(nullptr, std::memory_order_acquire)) {
        free_messages_.fetch_sub(b->messages.size(), std::memory_order_relaxed);
        return b;
      }
  return new block();
}

void message_blocks::give_back(block* b) {
  // Drop the views (the last one frees librdkafka's records), keep the
  // strings and vectors.
  for (size_t i = 0; i < b->used; ++i) {
    b->messages[i].key.reset();
    b->messages[i].value.reset();
  }
  b->used = 0;
  const size_t size = b->messages.size();
  if (free_messages_.fetch_add(size, std::memory_order_relaxed) + size >
      kept_messages) {
    free_messages_.fetch_sub(size, std::memory_order_relaxed);
    delete b;
    return;
  }
  for (auto& slot : free_) {
    block* empty = nullptr;
    if (slot.compare_exchange_strong(empty, b, std::memory_order_release,
                                     std::memory_order_relaxed))
      return;
  }
  free_messages_.fetch_sub(size, std::memory_order_relaxed);
  delete b;
}

fetched_messages message_blocks::fill(fetched_run&& run) {
  // The run, moved behind a shared owner: the messages' keys and values
  // view its records' buffers.
  auto records = std::make_shared<fetched_run>(std::move(run));
  auto& in = records->raw_;
  const auto topic = records->topic_;
  auto* b = take();
  // A reused block only grows: messages past the run wait, with their
  // strings, for a longer one.
  if (b->messages.size() < in.size())
    b->messages.resize(in.size());
  b->used = in.size();
  std::shared_ptr<const void> storage = records;
  fetched_messages out;
  out.records.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    to_message(b->messages[i], in[i], topic, storage);
    out.records.push_back(&b->messages[i]);
  }
  out.owner = std::shared_ptr<const void>(
      b, [pool = shared_from_this()](const void* p) {
        pool->give_back(static_cast<block*>(const_cast<void*>(p)));
      });
  return out;
}

} // namespace faust::transport::kafka
