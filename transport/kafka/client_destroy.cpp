#include "transport/kafka/client_destroy.hpp"

#include "supervision/logger.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace faust::transport::kafka {

namespace {

std::atomic<size_t> lingering{0};

struct destruction {
  std::mutex mtx;
  std::condition_variable cv;
  bool done = false;
  bool abandoned = false;
};

} // namespace

bool destroy_client(rd_kafka_t* client, int flags,
                    std::chrono::milliseconds timeout) {
  if (!client)
    return true;
  std::string name = rd_kafka_name(client);
  auto d = std::make_shared<destruction>();
  std::thread worker([client, flags, d] {
    rd_kafka_destroy_flags(client, flags);
    std::lock_guard lock(d->mtx);
    d->done = true;
    if (d->abandoned)
      lingering.fetch_sub(1);
    d->cv.notify_all();
  });
  std::unique_lock lock(d->mtx);
  if (d->cv.wait_for(lock, timeout, [&] { return d->done; })) {
    lock.unlock();
    worker.join();
    return true;
  }
  d->abandoned = true;
  lingering.fetch_add(1);
  lock.unlock();
  worker.detach();
  faust::log().warn("{}: not destroyed within {} ms (the broker does not "
                    "answer, or records are still held); left to finish in "
                    "the background",
                    name, timeout.count());
  return false;
}

bool close_consumer(rd_kafka_t* client, std::chrono::milliseconds timeout) {
  // rd_kafka_consumer_close has no timeout: close through a queue of our
  // own and poll it until the close is done or time is up.
  std::unique_ptr<rd_kafka_queue_t, void (*)(rd_kafka_queue_t*)> q{
      rd_kafka_queue_new(client), rd_kafka_queue_destroy};
  if (auto* err = rd_kafka_consumer_close_queue(client, q.get())) {
    faust::log().warn("{}: cannot close: {}", rd_kafka_name(client),
                      rd_kafka_error_string(err));
    rd_kafka_error_destroy(err);
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!rd_kafka_consumer_closed(client) &&
         std::chrono::steady_clock::now() < deadline)
    if (auto* ev = rd_kafka_queue_poll(q.get(), 50)) {
      if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE)
        rd_kafka_assign(client, nullptr);
      rd_kafka_event_destroy(ev);
    }
  return rd_kafka_consumer_closed(client) != 0;
}

size_t clients_still_being_destroyed() {
  return lingering.load();
}

} // namespace faust::transport::kafka
