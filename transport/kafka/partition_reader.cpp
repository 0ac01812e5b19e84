#include "transport/kafka/partition_reader.hpp"

#include "transport/kafka/record_view.hpp"
#include "transport/kafka/watermarks.hpp"

#include <map>

namespace faust::transport::kafka {

namespace {

std::string name_of(const models::topic_partition& tp) {
  return tp.topic + "[" + std::to_string(tp.partition) + "]";
}

} // namespace

result<std::unique_ptr<partition_reader>>
partition_reader::create(partition_reader_options opts) {
  // A group id is required by librdkafka's consumer API; the reader never
  // joins the group (it assigns partitions itself) and never commits.
  properties props{
      {"bootstrap.servers", opts.bootstrap},
      {"group.id", opts.client_id},
      {"client.id", opts.client_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
      {"isolation.level",
       opts.read_committed ? "read_committed" : "read_uncommitted"},
      // librdkafka 2.0.2 stops fetching for a second whenever this many
      // records are queued, which a replay drains in a fraction of that.
      {"queued.min.messages", "1000000"},
  };
  auto client =
      make_client(RD_KAFKA_CONSUMER, std::move(props), opts.extra, nullptr, {});
  if (!client)
    return client.error();
  std::unique_ptr<partition_reader> r{new partition_reader()};
  r->client_ = std::move(*client);
  rd_kafka_poll_set_consumer(r->client_.get());
  return r;
}

partition_reader::~partition_reader() {
  if (client_ && !close_consumer(client_.get(), std::chrono::seconds{5}))
    client_.get_deleter().flags = RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE;
}

result<std::pair<int64_t, int64_t>>
partition_reader::watermarks(const models::topic_partition& tp,
                             std::chrono::milliseconds timeout) {
  return query_watermarks(client_.get(), tp, timeout);
}

result<uint64_t>
partition_reader::read(const std::vector<partition_range>& ranges,
                       const std::function<void(const models::message&)>& fn,
                       std::chrono::milliseconds stall_timeout,
                       const std::function<bool()>& give_up) {
  std::map<models::topic_partition, int64_t> ends;
  std::map<models::topic_partition, int64_t> wanted;
  for (auto& r : ranges)
    if (r.from < r.until) {
      ends[r.tp] = r.until;
      wanted[r.tp] = r.from;
    }
  if (ends.empty())
    return uint64_t{0};
  // Continuing where a read that gave up stopped: keep the assignment (and
  // what librdkafka prefetched for it).
  if (wanted != positions_) {
    partition_list_ptr list{
        rd_kafka_topic_partition_list_new(static_cast<int>(wanted.size()))};
    for (auto& [tp, from] : wanted)
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(),
                                        tp.partition)
          ->offset = from;
    if (auto err = rd_kafka_assign(client_.get(), list.get())) {
      positions_.clear();
      return error{errc::kafka, "cannot read " + name_of(ends.begin()->first) +
                                    ": " + describe(err)};
    }
    positions_ = wanted;
  }
  uint64_t count = 0;
  models::message view;
  std::string topic;
  auto last_progress = std::chrono::steady_clock::now();
  auto done = [&](const models::topic_partition& tp, int64_t next) {
    if (auto p = positions_.find(tp); p != positions_.end())
      p->second = std::max(p->second, next);
    if (auto it = ends.find(tp); it != ends.end() && next >= it->second)
      ends.erase(it);
  };
  result<uint64_t> outcome = uint64_t{0};
  while (!ends.empty()) {
    if (give_up && give_up()) {
      outcome = error{errc::stopped, "reading " + name_of(ends.begin()->first) +
                                         ": stopped before the end"};
      break;
    }
    message_handle m{rd_kafka_consumer_poll(client_.get(), 100)};
    if (!m) {
      // Offsets the ends cannot reach as records (compacted away, or
      // transaction markers): the position says how far reading got.
      partition_list_ptr pos{
          rd_kafka_topic_partition_list_new(static_cast<int>(ends.size()))};
      for (auto& [tp, end] : ends)
        rd_kafka_topic_partition_list_add(pos.get(), tp.topic.c_str(),
                                          tp.partition);
      rd_kafka_position(client_.get(), pos.get());
      bool moved = false;
      for (int i = 0; i < pos->cnt; ++i)
        if (pos->elems[i].offset >= 0) {
          auto before = ends.size();
          done({pos->elems[i].topic, pos->elems[i].partition},
               pos->elems[i].offset);
          moved |= ends.size() != before;
        }
      if (moved)
        last_progress = std::chrono::steady_clock::now();
      else if (std::chrono::steady_clock::now() - last_progress >
               stall_timeout) {
        outcome = error{errc::timeout,
                        "reading " + name_of(ends.begin()->first) +
                            " made no progress for " +
                            std::to_string(stall_timeout.count()) + " ms"};
        break;
      }
      continue;
    }
    if (m->err) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        continue;
      std::string where = m->rkt ? std::string(rd_kafka_topic_name(m->rkt)) +
                                       "[" + std::to_string(m->partition) + "]"
                                 : std::string("the cluster");
      outcome = error{errc::kafka, "cannot read " + where + ": " +
                                       rd_kafka_message_errstr(m.get())};
      break;
    }
    last_progress = std::chrono::steady_clock::now();
    const char* name = rd_kafka_topic_name(m->rkt);
    if (topic != name)
      topic = name;
    models::topic_partition tp{topic, m->partition};
    auto it = ends.find(tp);
    if (it == ends.end() || m->offset >= it->second)
      continue; // past its end (written after reading began)
    to_message(view, m.get(), topic, nullptr);
    fn(view);
    ++count;
    done(tp, m->offset + 1);
  }
  if (!outcome && outcome.error().code == errc::stopped)
    return outcome; // the assignment stays for the next read to continue
  rd_kafka_assign(client_.get(), nullptr);
  positions_.clear();
  if (!outcome)
    return outcome;
  return count;
}

} // namespace faust::transport::kafka
