#include "transport/kafka/consumer.hpp"

#include "supervision/logger.hpp"
#include "transport/kafka/log_bridge.hpp"
#include "transport/kafka/watermarks.hpp"

#include <cstring>

namespace faust::transport::kafka {

namespace {

std::vector<models::topic_partition>
to_vector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<models::topic_partition> out;
  if (!list)
    return out;
  for (int i = 0; i < list->cnt; ++i)
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  return out;
}

partition_list_ptr to_list(const std::vector<models::topic_partition>& tps) {
  partition_list_ptr list{
      rd_kafka_topic_partition_list_new(static_cast<int>(tps.size()))};
  for (auto& tp : tps)
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(),
                                      tp.partition);
  return list;
}

} // namespace

result<std::unique_ptr<consumer>> consumer::create(consumer_options opts) {
  if (opts.group_id.empty())
    return error{errc::invalid_argument,
                 "Kafka consumer: needs a group id (the app id)"};
  properties props{
      {"bootstrap.servers", opts.bootstrap},
      {"group.id", opts.group_id},
      {"client.id", opts.client_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", opts.auto_offset_reset},
      {"partition.assignment.strategy", "range"},
      {"isolation.level",
       opts.read_committed ? "read_committed" : "read_uncommitted"},
      {"enable.partition.eof", "false"},
  };
  if (opts.statistics_interval.count() > 0)
    props["statistics.interval.ms"] =
        std::to_string(opts.statistics_interval.count());
  std::unique_ptr<consumer> c{new consumer()};
  auto client = make_client(
      RD_KAFKA_CONSUMER, std::move(props), opts.extra, c.get(),
      [](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_rebalance_cb(conf, &consumer::rebalance_cb);
        rd_kafka_conf_set_offset_commit_cb(conf, &consumer::commit_cb);
        rd_kafka_conf_set_stats_cb(conf, &consumer::stats_cb);
      });
  if (!client)
    return client.error();
  // The records handed out share the client: it is destroyed when the last
  // of them goes, within the close timeout (see `close`).
  c->client_ = std::shared_ptr<rd_kafka_t>(
      client->release(), client_deleter{opts.close_timeout, 0});
  c->close_timeout_ = opts.close_timeout;
  c->auto_offset_reset_ = opts.auto_offset_reset;
  c->name_ = rd_kafka_name(c->client_.get());
  rd_kafka_poll_set_consumer(c->client_.get());
  c->queue_.reset(rd_kafka_queue_get_consumer(c->client_.get()));
  return c;
}

consumer::~consumer() {
  if (client_)
    (void)close(close_timeout_);
  if (group_metadata_)
    rd_kafka_consumer_group_metadata_destroy(group_metadata_);
  queue_.reset();
  client_.reset();
}

result<void> consumer::close(std::chrono::milliseconds timeout) {
  if (closed_ || !client_)
    return {};
  closed_ = true;
  closing_ = true;
  faust::log().debug("{}: leaving the group", name_);
  rd_kafka_queue_cb_event_enable(queue_.get(), nullptr, nullptr);
  if (close_consumer(client_.get(), timeout))
    return {};
  // Not closed: a plain destroy would wait for the close forever.
  if (auto* deleter = std::get_deleter<client_deleter>(client_))
    deleter->flags = RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE;
  auto why = "no answer within " + std::to_string(timeout.count()) + " ms";
  faust::log().warn("{}: could not leave the group ({}); its partitions move "
                    "to other workers when the session times out",
                    name_, why);
  return error{errc::timeout, name_ + ": leaving the group: " + why};
}

void consumer::on_wakeup(std::function<void()> fn) {
  on_wakeup_ = std::move(fn);
  rd_kafka_queue_cb_event_enable(queue_.get(), &consumer::queue_event_cb, this);
}

int consumer::stats_cb(rd_kafka_t*, char* json, size_t len, void* opaque) {
  auto* self = static_cast<consumer*>(opaque);
  if (self->on_statistics_)
    self->on_statistics_(std::string_view(json, len));
  return 0; // librdkafka frees the document
}

void consumer::queue_event_cb(rd_kafka_t*, void* opaque) {
  auto* self = static_cast<consumer*>(opaque);
  if (self->on_wakeup_)
    self->on_wakeup_();
}

result<void> consumer::subscribe(const std::vector<std::string>& topics) {
  partition_list_ptr list{
      rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()))};
  for (auto& t : topics)
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(),
                                      RD_KAFKA_PARTITION_UA);
  if (auto err = rd_kafka_subscribe(client_.get(), list.get()))
    return error{errc::kafka, name_ + ": cannot subscribe: " + describe(err)};
  return {};
}

void consumer::rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t* parts,
                            void* opaque) {
  auto* self = static_cast<consumer*>(opaque);
  auto tps = to_vector(parts);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    if (self->on_rebalance_ && !self->closing_)
      self->on_rebalance_(rebalance_kind::assigned, tps);
    if (auto e = rd_kafka_assign(rk, parts))
      faust::log().error("{}: cannot take assigned partitions: {}", self->name_,
                         describe(e));
  } else {
    auto kind = rd_kafka_assignment_lost(rk) ? rebalance_kind::lost
                                             : rebalance_kind::revoked;
    bool later = self->on_rebalance_ && !self->closing_ &&
                 self->on_rebalance_(kind, tps);
    if (later)
      self->revoke_pending_ = true;
    else
      rd_kafka_assign(rk, nullptr);
  }
}

void consumer::finish_revoke() {
  if (!revoke_pending_)
    return;
  revoke_pending_ = false;
  rd_kafka_assign(client_.get(), nullptr);
}

void consumer::commit_cb(rd_kafka_t*, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t* offsets,
                         void* opaque) {
  auto* self = static_cast<consumer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
    return; // nothing to commit
  std::vector<offset_to_commit> done;
  std::string failure = err ? describe(err) : std::string();
  if (offsets)
    for (int i = 0; i < offsets->cnt; ++i) {
      auto& e = offsets->elems[i];
      if (e.err && failure.empty())
        failure = std::string(e.topic) + "[" + std::to_string(e.partition) +
                  "]: " + describe(e.err);
      if (!e.err)
        done.push_back({{e.topic, e.partition}, e.offset});
    }
  if (!failure.empty())
    faust::log().warn("{}: commit failed (retried at the next commit): {}",
                      self->name_, failure);
  if (self->on_commit_)
    self->on_commit_(done, failure);
}

void consumer::report(rd_kafka_resp_err_t err, const std::string& text) {
  auto& last = reported_[static_cast<int>(err)];
  if (last == text)
    return;
  last = text;
  faust::log().error("{}: {} ({}); retrying", name_, text,
                     rd_kafka_err2name(err));
}

size_t consumer::poll(size_t max,
                      const std::function<void(fetched_run&)>& sink) {
  // Many records per call (librdkafka serves rebalances, commit results
  // and statistics on the way, from this thread).
  taken_.resize(std::max<size_t>(1, max));
  auto got = rd_kafka_consume_batch_queue(queue_.get(), 0, taken_.data(),
                                          taken_.size());
  if (got <= 0)
    return 0;
  size_t n = 0;
  fetched_run run;
  auto hand_over = [&] {
    if (run.empty())
      return;
    sink(run);
    run = fetched_run{};
  };
  for (ssize_t i = 0; i < got; ++i) {
    message_handle m{taken_[static_cast<size_t>(i)]};
    if (m->err) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        continue;
      std::string where = m->rkt ? std::string(" on ") +
                                       rd_kafka_topic_name(m->rkt) + "[" +
                                       std::to_string(m->partition) + "]"
                                 : std::string();
      report(m->err, rd_kafka_message_errstr(m.get()) + where);
      continue;
    }
    if (!reported_.empty()) {
      faust::log().info("{}: receiving records again", name_);
      reported_.clear();
    }
    if (!run.empty() && (run.raw_.front()->rkt != m->rkt ||
                         run.raw_.front()->partition != m->partition))
      hand_over();
    if (run.empty()) {
      run.topic_ = rd_kafka_topic_name(m->rkt);
      run.partition_ = m->partition;
      run.client_ = client_;
    }
    run.raw_.push_back(m.release()); // owned by the run now
    ++n;
  }
  hand_over();
  return n;
}

fetched_messages consumer::messages(fetched_run&& run) {
  auto pool = blocks_.find(run.topic());
  if (pool == blocks_.end())
    pool =
        blocks_.emplace(std::string(run.topic()), message_blocks::make()).first;
  return pool->second->fill(std::move(run));
}

result<void> consumer::commit(const std::vector<offset_to_commit>& offsets) {
  if (offsets.empty())
    return {};
  auto list = to_partition_list(offsets);
  if (auto err = rd_kafka_commit(client_.get(), list.get(), 1))
    return error{errc::kafka, name_ + ": commit: " + describe(err)};
  return {};
}

result<void>
consumer::commit_and_wait(const std::vector<offset_to_commit>& offsets,
                          std::chrono::milliseconds timeout) {
  if (offsets.empty())
    return {};
  auto list = to_partition_list(offsets);
  queue_ptr q{rd_kafka_queue_new(client_.get())};
  if (auto err = rd_kafka_commit_queue(client_.get(), list.get(), q.get(),
                                       nullptr, nullptr))
    return error{errc::kafka, name_ + ": commit: " + describe(err)};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return error{errc::timeout, name_ + ": commit: no answer within " +
                                      std::to_string(timeout.count()) + " ms"};
    event_ptr ev{rd_kafka_queue_poll(q.get(), static_cast<int>(left.count()))};
    if (!ev || rd_kafka_event_type(ev.get()) != RD_KAFKA_EVENT_OFFSET_COMMIT)
      continue;
    std::vector<offset_to_commit> done;
    std::string failure;
    if (auto err = rd_kafka_event_error(ev.get()))
      failure = describe(err);
    if (auto* parts = rd_kafka_event_topic_partition_list(ev.get()))
      for (int i = 0; i < parts->cnt; ++i) {
        auto& e = parts->elems[i];
        if (e.err && failure.empty())
          failure = std::string(e.topic) + "[" + std::to_string(e.partition) +
                    "]: " + describe(e.err);
        if (!e.err)
          done.push_back({{e.topic, e.partition}, e.offset});
      }
    if (on_commit_)
      on_commit_(done, failure);
    if (!failure.empty())
      return error{errc::kafka, name_ + ": commit: " + failure};
    return {};
  }
}

void consumer::pause(const std::vector<models::topic_partition>& tps) {
  if (tps.empty())
    return;
  auto list = to_list(tps);
  rd_kafka_pause_partitions(client_.get(), list.get());
}

void consumer::resume(const std::vector<models::topic_partition>& tps) {
  if (tps.empty())
    return;
  auto list = to_list(tps);
  rd_kafka_resume_partitions(client_.get(), list.get());
}

result<void> consumer::seek(const models::topic_partition& tp, int64_t offset) {
  if (offset < 0)
    offset = auto_offset_reset_ == "latest" ? RD_KAFKA_OFFSET_END
                                            : RD_KAFKA_OFFSET_BEGINNING;
  auto list = to_partition_list({{tp, offset}});
  error_ptr err{rd_kafka_seek_partitions(client_.get(), list.get(), 10000)};
  if (err)
    return error{errc::kafka, name_ + ": seek " + tp.topic + "[" +
                                  std::to_string(tp.partition) +
                                  "]: " + rd_kafka_error_string(err.get())};
  if (list->elems[0].err)
    return error{errc::kafka, name_ + ": seek " + tp.topic + "[" +
                                  std::to_string(tp.partition) +
                                  "]: " + describe(list->elems[0].err)};
  return {};
}

std::optional<int64_t>
consumer::high_watermark(const models::topic_partition& tp) {
  int64_t low = -1, high = -1;
  if (rd_kafka_get_watermark_offsets(client_.get(), tp.topic.c_str(),
                                     tp.partition, &low, &high) ||
      high < 0)
    return std::nullopt;
  return high;
}

std::optional<int64_t>
consumer::query_high_watermark(const models::topic_partition& tp,
                               std::chrono::milliseconds timeout) {
  auto high = kafka::query_high_watermark(client_.get(), tp, timeout);
  if (!high || *high < 0)
    return std::nullopt;
  return *high;
}

std::map<models::topic_partition, int64_t>
consumer::committed(const std::vector<models::topic_partition>& tps,
                    std::chrono::milliseconds timeout) {
  std::map<models::topic_partition, int64_t> out;
  if (tps.empty())
    return out;
  auto list = to_list(tps);
  if (auto err = rd_kafka_committed(client_.get(), list.get(),
                                    static_cast<int>(timeout.count()))) {
    faust::log().warn("{}: cannot read committed offsets: {}", name_,
                      describe(err));
    return out;
  }
  for (int i = 0; i < list->cnt; ++i)
    if (!list->elems[i].err && list->elems[i].offset >= 0)
      out[{list->elems[i].topic, list->elems[i].partition}] =
          list->elems[i].offset;
  return out;
}

std::vector<models::topic_partition> consumer::assignment() const {
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(client_.get(), &list))
    return {};
  partition_list_ptr owned{list};
  return to_vector(list);
}

consumer::group_membership consumer::membership() const {
  group_membership out;
  // librdkafka has no getter for the generation: it is in the group
  // metadata it serializes for transactions, with the member id (one
  // snapshot, so both come from the same join): `CGMDv2:`, the int32
  // generation in host order, the group id and the member id, each
  // NUL-terminated.
  auto* metadata = rd_kafka_consumer_group_metadata(client_.get());
  if (!metadata)
    return out;
  void* buffer = nullptr;
  size_t size = 0;
  if (auto* err =
          rd_kafka_consumer_group_metadata_write(metadata, &buffer, &size)) {
    rd_kafka_error_destroy(err);
  } else {
    static constexpr std::string_view magic = "CGMDv2:";
    std::string_view bytes(static_cast<const char*>(buffer), size);
    if (bytes.size() >= magic.size() + sizeof(int32_t) &&
        bytes.substr(0, magic.size()) == magic) {
      std::memcpy(&out.generation, bytes.data() + magic.size(),
                  sizeof(int32_t));
      auto rest = bytes.substr(magic.size() + sizeof(int32_t));
      if (auto group_end = rest.find('\0'); group_end != rest.npos) {
        rest.remove_prefix(group_end + 1);
        if (auto member_end = rest.find('\0'); member_end != rest.npos)
          out.member_id = std::string(rest.substr(0, member_end));
      }
    }
    rd_kafka_mem_free(client_.get(), buffer);
  }
  rd_kafka_consumer_group_metadata_destroy(metadata);
  return out;
}

rd_kafka_consumer_group_metadata_t* consumer::group_metadata() {
  if (!group_metadata_)
    group_metadata_ = rd_kafka_consumer_group_metadata(client_.get());
  return group_metadata_;
}

} // namespace faust::transport::kafka
