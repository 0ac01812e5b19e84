#include "transport/kafka/producer.hpp"

#include "supervision/logger.hpp"
#include "transport/kafka/log_bridge.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace faust::transport::kafka {

namespace {

int timeout_ms(std::chrono::milliseconds t) {
  return static_cast<int>(std::max<int64_t>(0, t.count()));
}

/// Where `send_and_wait` waits for its record's delivery report.
struct delivery_slot {
  uint64_t epoch = 0;
  std::mutex mtx;
  std::condition_variable cv;
  bool done = false;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  record_metadata meta;
};

std::string printable_key(const rd_kafka_message_t* m) {
  if (!m->key)
    return "null";
  std::string key(static_cast<const char*>(m->key),
                  std::min<size_t>(m->key_len, 64));
  for (auto& c : key)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = '?';
  return "'" + key + (m->key_len > 64 ? "...'" : "'");
}

} // namespace

result<std::unique_ptr<producer>> producer::create(producer_options opts) {
  properties props{{"bootstrap.servers", opts.bootstrap},
                   {"client.id", opts.client_id},
                   {"enable.idempotence", "true"},
                   {"acks", "all"},
                   {"partitioner", "murmur2_random"}};
  if (opts.transactional_id)
    props["transactional.id"] = *opts.transactional_id;
  bool stats = opts.statistics_interval.count() > 0 && opts.on_statistics;
  if (stats)
    props["statistics.interval.ms"] =
        std::to_string(opts.statistics_interval.count());
  std::unique_ptr<producer> p{new producer()};
  p->delivery_latency_ = opts.delivery_latency;
  p->on_statistics_ = std::move(opts.on_statistics);
  auto client =
      make_client(RD_KAFKA_PRODUCER, std::move(props), opts.extra, p.get(),
                  [stats](rd_kafka_conf_t* conf) {
                    rd_kafka_conf_set_dr_msg_cb(conf, &producer::on_delivery);
                    if (stats)
                      rd_kafka_conf_set_stats_cb(conf, &producer::on_stats);
                  });
  if (!client)
    return client.error();
  p->client_ = std::move(*client);
  p->name_ = rd_kafka_name(p->client_.get());
  p->transactional_ = opts.transactional_id.has_value();
  return p;
}

rd_kafka_topic_t*
producer::prepared_topics::find(const std::string& topic) const {
  for (auto& [name, handle] : handles)
    if (name == topic)
      return handle;
  return nullptr;
}

void producer::prepare_topics(const std::vector<std::string>& topics) {
  std::lock_guard lock(prepare_mtx_);
  auto* current = prepared_.load(std::memory_order_acquire);
  auto next = current ? std::make_unique<prepared_topics>(*current)
                      : std::make_unique<prepared_topics>();
  for (auto& name : topics) {
    if (next->find(name))
      continue;
    // A new topic handle asks for the topic's leaders (asynchronously).
    if (auto* t = rd_kafka_topic_new(client_.get(), name.c_str(), nullptr)) {
      prepared_owned_.emplace_back(t, &rd_kafka_topic_destroy);
      next->handles.emplace_back(name, t);
    } else {
      faust::log().warn("{}: cannot prepare topic '{}': {}", name_, name,
                        rd_kafka_err2str(rd_kafka_last_error()));
    }
  }
  prepared_.store(next.get(), std::memory_order_release);
  prepared_sets_.push_back(std::move(next));
}

rd_kafka_topic_t* producer::topic_handle(const std::string& topic) const {
  auto* set = prepared_.load(std::memory_order_acquire);
  return set ? set->find(topic) : nullptr;
}

producer::~producer() {
  if (!client_)
    return;
  if (auto n = in_flight(); n > 0)
    faust::log().warn("{}: closing with {} records not yet delivered", name_,
                      n);
}

int producer::on_stats(rd_kafka_t*, char* json, size_t len, void* opaque) {
  auto* self = static_cast<producer*>(opaque);
  if (self->on_statistics_)
    self->on_statistics_(std::string_view(json, len));
  return 0; // librdkafka frees the document
}

void producer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m,
                           void* opaque) {
  auto* self = static_cast<producer*>(opaque);
  // Counted before the epoch is left: a committer that sees the epoch
  // delivered must also see its failures (or it would commit past a lost
  // record).
  if (m->err) {
    self->failures_.fetch_add(1);
    faust::log().error("{}: record to {}[{}] with key {} was not delivered: "
                       "{}",
                       self->name_, rd_kafka_topic_name(m->rkt), m->partition,
                       printable_key(m), describe(m->err));
  } else {
    self->delivered_.fetch_add(1, std::memory_order_relaxed);
    if (self->delivery_latency_)
      if (auto us = rd_kafka_message_latency(m); us >= 0)
        self->delivery_latency_->observe(double(us) / 1000.0);
  }
  // `send` tags a record with its epoch as an odd number, or with its
  // receipt's (aligned) slot plus 2; `send_and_wait` passes its (aligned)
  // slot. Both slots hold the epoch.
  auto tag = reinterpret_cast<uintptr_t>(m->_private);
  if (tag & 1u) {
    self->leave_epoch(tag >> 1);
  } else if (tag & 2u) {
    auto* s = reinterpret_cast<delivery_receipt::slot*>(tag & ~uintptr_t{3});
    auto epoch = s->epoch;
    // The offset is in before the epoch is left: a sender that sees its
    // batch delivered finds it.
    delivery_receipt::report(*s, m->err ? -1 : m->offset);
    self->leave_epoch(epoch);
  } else if (auto* slot = static_cast<delivery_slot*>(m->_private)) {
    self->leave_epoch(slot->epoch);
    std::lock_guard lock(slot->mtx);
    slot->err = m->err;
    slot->meta.topic = rd_kafka_topic_name(m->rkt);
    slot->meta.partition = m->partition;
    slot->meta.offset = m->offset;
    rd_kafka_timestamp_type_t type;
    auto stamp = rd_kafka_message_timestamp(m, &type);
    // The broker's time counts only for LogAppendTime topics; otherwise the
    // record keeps the create time it was sent with.
    if (type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME &&
        !self->ignore_append_time_) {
      slot->meta.timestamp_ms = stamp;
      slot->meta.log_append_time = true;
    }
    slot->done = true;
    slot->cv.notify_all();
  }
}

namespace {

rd_kafka_resp_err_t produce(rd_kafka_t* rk, rd_kafka_topic_t* prepared,
                            const models::message& msg, void* slot) {
  rd_kafka_headers_t* headers = nullptr;
  if (!msg.headers.empty()) {
    headers = rd_kafka_headers_new(msg.headers.size());
    for (auto& h : msg.headers)
      rd_kafka_header_add(headers, h.key.data(),
                          static_cast<ssize_t>(h.key.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
  }
  rd_kafka_vu_t vus[8];
  // By handle when the topic was prepared: a send by name looks the topic
  // up under librdkafka's client lock.
  if (prepared) {
    vus[0].vtype = RD_KAFKA_VTYPE_RKT;
    vus[0].u.rkt = prepared;
  } else {
    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vus[0].u.cstr = msg.topic.c_str();
  }
  vus[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  vus[1].u.i32 = msg.partition >= 0 ? msg.partition : RD_KAFKA_PARTITION_UA;
  vus[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vus[2].u.i = RD_KAFKA_MSG_F_COPY;
  vus[3].vtype = RD_KAFKA_VTYPE_KEY;
  vus[3].u.mem.ptr = msg.key ? const_cast<char*>(msg.key->data()) : nullptr;
  vus[3].u.mem.size = msg.key ? msg.key->size() : 0;
  vus[4].vtype = RD_KAFKA_VTYPE_VALUE;
  vus[4].u.mem.ptr = msg.value ? const_cast<char*>(msg.value->data()) : nullptr;
  vus[4].u.mem.size = msg.value ? msg.value->size() : 0;
  vus[5].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
  vus[5].u.i64 = msg.timestamp_ms;
  vus[6].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vus[6].u.ptr = slot;
  size_t count = 7;
  if (headers) {
    vus[7].vtype = RD_KAFKA_VTYPE_HEADERS;
    vus[7].u.headers = headers;
    count = 8;
  }
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (auto* e = rd_kafka_produceva(rk, vus, count)) {
    err = rd_kafka_error_code(e);
    rd_kafka_error_destroy(e);
  }
  // On success the producer owns the headers.
  if (err && headers)
    rd_kafka_headers_destroy(headers);
  return err;
}

} // namespace

uint64_t producer::enter_epoch() {
  // Counted in the epoch that is current once the count is in: a seal
  // that raced with the increment moves the record to the new epoch.
  for (;;) {
    auto epoch = epoch_.load();
    auto& slot = in_flight_by_epoch_[epoch % epoch_ring_size];
    slot.fetch_add(1);
    if (epoch_.load() == epoch)
      return epoch;
    slot.fetch_sub(1);
  }
}

void producer::leave_epoch(uint64_t epoch) {
  in_flight_by_epoch_[epoch % epoch_ring_size].fetch_sub(1);
}

std::optional<uint64_t> producer::seal_epoch() {
  auto current = epoch_.load();
  for (;;) {
    // The next epoch reuses the slot of `current + 1 - ring size`.
    if (current + 1 >= epoch_ring_size &&
        !delivered_through(current + 1 - epoch_ring_size))
      return std::nullopt;
    // Several threads may seal: each seal ends exactly one epoch.
    if (epoch_.compare_exchange_weak(current, current + 1))
      return current;
  }
}

bool producer::delivered_through(uint64_t epoch) {
  // The current epoch still takes records: never report it delivered.
  if (epoch >= epoch_.load())
    return false;
  auto drained = drained_below_.load();
  while (drained <= epoch) {
    if (in_flight_by_epoch_[drained % epoch_ring_size].load() != 0)
      return false;
    // Another thread may have moved it on meanwhile: then go on from there.
    if (drained_below_.compare_exchange_weak(drained, drained + 1))
      ++drained;
  }
  return true;
}

template <class Tag>
result<record_metadata> producer::send_tagged(const models::message& msg,
                                              Tag&& tag) {
  for (;;) {
    auto epoch = enter_epoch();
    auto err = produce(client_.get(), topic_handle(msg.topic), msg, tag(epoch));
    if (!err)
      return record_metadata{msg.topic, msg.partition >= 0 ? msg.partition : -1,
                             -1, msg.timestamp_ms};
    leave_epoch(epoch);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      return error{errc::kafka,
                   "cannot send to '" + msg.topic + "': " + describe(err)};
    // Backpressure: the producer actor's polling makes room, until the app
    // stops (without a broker the queue may never drain).
    if (stop_waiting_.load(std::memory_order_relaxed))
      return error{errc::stopped, "cannot send to '" + msg.topic +
                                      "': the producer's queue is full and "
                                      "the app is stopping"};
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
}

result<record_metadata> producer::send(const models::message& msg) {
  return send_tagged(msg, [](uint64_t epoch) {
    return reinterpret_cast<void*>(static_cast<uintptr_t>(epoch << 1 | 1));
  });
}

result<record_metadata> producer::send(const models::message& msg,
                                       delivery_receipt& receipt,
                                       size_t index) {
  auto& slot = receipt.sending(index);
  auto sent = send_tagged(msg, [&slot](uint64_t epoch) {
    slot.epoch = epoch;
    return reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(&slot) | 2u);
  });
  if (sent)
    receipt.sent_one();
  else
    receipt.not_sent();
  return sent;
}

result<record_metadata>
producer::send_and_wait(const models::message& msg,
                        std::chrono::milliseconds timeout) {
  auto slot = std::make_unique<delivery_slot>();
  slot->meta.timestamp_ms = msg.timestamp_ms;
  for (;;) {
    slot->epoch = enter_epoch();
    auto err = produce(client_.get(), topic_handle(msg.topic), msg, slot.get());
    if (!err)
      break;
    leave_epoch(slot->epoch);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      return error{errc::kafka,
                   "cannot send to '" + msg.topic + "': " + describe(err)};
    rd_kafka_poll(client_.get(), 10);
  }
  // Serve delivery reports here too: nobody else may be polling.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::unique_lock lock(slot->mtx);
      if (slot->done)
        break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      // The slot must outlive the report: let it leak rather than dangle.
      (void)slot.release();
      return error{errc::timeout, "sending to '" + msg.topic +
                                      "': no delivery report in " +
                                      std::to_string(timeout.count()) + " ms"};
    }
    rd_kafka_poll(client_.get(), 10);
  }
  if (slot->err)
    return error{errc::delivery_failed,
                 "sending to '" + msg.topic + "': " + describe(slot->err)};
  return slot->meta;
}

void producer::poll(std::chrono::milliseconds timeout) {
  rd_kafka_poll(client_.get(), timeout_ms(timeout));
}

result<void> producer::flush(std::chrono::milliseconds timeout,
                             const std::function<bool()>& give_up) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    // In slices, so that `give_up` is asked while the broker is silent.
    auto slice =
        give_up ? std::min(left, std::chrono::milliseconds{100}) : left;
    auto err = rd_kafka_flush(client_.get(), timeout_ms(slice));
    if (!err)
      return {};
    if (left <= slice)
      return error{errc::timeout, name_ + ": " + std::to_string(in_flight()) +
                                      " records still undelivered after " +
                                      std::to_string(timeout.count()) +
                                      " ms (" + describe(err) + ")"};
    if (give_up && give_up())
      return error{errc::stopped, name_ + ": " + std::to_string(in_flight()) +
                                      " records still undelivered: gave up "
                                      "waiting (the app is stopping)"};
  }
}

size_t producer::in_flight() const {
  return static_cast<size_t>(rd_kafka_outq_len(client_.get()));
}

result<void> producer::check(rd_kafka_error_t* raw, const char* what) {
  error_ptr err{raw};
  if (!err)
    return {};
  if (rd_kafka_error_is_fatal(err.get()))
    fatal_ = true;
  return error{errc::kafka,
               name_ + ": " + what + ": " + rd_kafka_error_string(err.get()) +
                   (rd_kafka_error_is_fatal(err.get()) ? " (fatal)" : "") +
                   (rd_kafka_error_txn_requires_abort(err.get())
                        ? " (the transaction must be aborted)"
                        : "")};
}

result<void> producer::init_transactions(std::chrono::milliseconds timeout) {
  return check(rd_kafka_init_transactions(client_.get(), timeout_ms(timeout)),
               "init_transactions");
}

result<void> producer::begin_transaction() {
  auto begun =
      check(rd_kafka_begin_transaction(client_.get()), "begin_transaction");
  if (begun)
    transaction_.fetch_add(1);
  return begun;
}

producer::transaction_end producer::end_of(uint64_t n) const {
  if (n > ended_through_.load())
    return transaction_end::open;
  if (aborts_.load() == 0)
    return transaction_end::committed;
  std::lock_guard lock(aborted_mtx_);
  return aborted_.count(n) ? transaction_end::aborted
                           : transaction_end::committed;
}

result<void> producer::send_offsets_to_transaction(
    const std::vector<offset_to_commit>& offsets,
    rd_kafka_consumer_group_metadata_t* group,
    std::chrono::milliseconds timeout) {
  auto list = to_partition_list(offsets);
  return check(rd_kafka_send_offsets_to_transaction(client_.get(), list.get(),
                                                    group, timeout_ms(timeout)),
               "send_offsets_to_transaction");
}

result<void> producer::commit_transaction(std::chrono::milliseconds timeout) {
  auto done =
      check(rd_kafka_commit_transaction(client_.get(), timeout_ms(timeout)),
            "commit_transaction");
  if (done)
    ended_through_.store(transaction_.load());
  return done;
}

result<void> producer::abort_transaction(std::chrono::milliseconds timeout) {
  auto done =
      check(rd_kafka_abort_transaction(client_.get(), timeout_ms(timeout)),
            "abort_transaction");
  if (done) {
    auto n = transaction_.load();
    {
      std::lock_guard lock(aborted_mtx_);
      aborted_.insert(n);
    }
    // Counted before the end is published: a reader that sees the end sees
    // the abort.
    aborts_.fetch_add(1);
    ended_through_.store(n);
  }
  return done;
}

} // namespace faust::transport::kafka
