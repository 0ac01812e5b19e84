// The page-views job as the straightforward raw librdkafka program a C++
// developer would write, the limit `page_views_e2e` measures ours against:
// two hops in one loop, as the page_views worker does them.
//   1. input record (JSON page view keyed by user): parse the page id
//      (simdjson), produce the value unchanged to the repartition topic,
//      keyed by the page id;
//   2. repartition record: count the page in a hash map, produce the new
//      count (a JSON int) keyed by the page id (a JSON string, as a table's
//      changelog) to the output topic.
// Commits the consumed offsets asynchronously every second.
//
//   page_views_raw BOOTSTRAP GROUP INPUT REPARTITION OUTPUT
//
// Tuning (at least what the app gives its clients; see
// transport/kafka/*.cpp and actors/internal/kafka_consumer.cpp):
// - consumer: `range` assignment (co-partitions input and repartition
//   topic, as the app), `fetch.wait.max.ms=10` (the embedded broker answers
//   a fetch only when its wait is over), `queued.min.messages=1000000`
//   (librdkafka 2.0.2 pauses fetching for a second below that), records
//   taken 10,000 at a time with `rd_kafka_consume_batch_queue`;
// - producer: idempotent, `acks=all`, Java's murmur2 partitioner (as the
//   app), librdkafka's batching defaults (`linger.ms=5`, 10,000 records or
//   1 MB per batch) and a queue of 1M records so a burst never blocks;
// - hop 1 forwards the consumed value without a copy: the consumed
//   message is kept until its forwarded copy is delivered.
// Prints "partitions assigned: N" on stderr when the group assigns
// partitions. Stops on SIGTERM/SIGINT after flushing and committing.
#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

namespace {

volatile std::sig_atomic_t stopping = 0;

void on_signal(int) {
  stopping = 1;
}

rd_kafka_conf_t*
make_conf(std::initializer_list<std::pair<const char*, const char*>> props) {
  char err[512];
  auto* conf = rd_kafka_conf_new();
  for (auto& [k, v] : props)
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "page_views_raw: %s\n", err);
      std::exit(2);
    }
  return conf;
}

rd_kafka_t* make_client(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char err[512];
  auto* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "page_views_raw: %s\n", err);
    std::exit(2);
  }
  return rk;
}

void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                  rd_kafka_topic_partition_list_t* parts, void*) {
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_assign(rk, parts);
    std::fprintf(stderr, "partitions assigned: %d\n", parts->cnt);
  } else {
    rd_kafka_assign(rk, nullptr);
  }
}

/// Delivery report: frees the consumed record a forwarded value pointed
/// into; a failed delivery is fatal (the job would miscount).
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err) {
    std::fprintf(stderr, "page_views_raw: delivery failed: %s\n",
                 rd_kafka_err2str(m->err));
    std::exit(1);
  }
  if (m->_private)
    rd_kafka_message_destroy(static_cast<rd_kafka_message_t*>(m->_private));
}

void produce(rd_kafka_t* p, rd_kafka_topic_t* topic, const void* key,
             size_t key_len, void* value, size_t value_len, int flags,
             void* opaque) {
  while (rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, flags, value, value_len,
                          key, key_len, opaque) == -1) {
    if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      std::fprintf(stderr, "page_views_raw: produce: %s\n",
                   rd_kafka_err2str(rd_kafka_last_error()));
      std::exit(1);
    }
    rd_kafka_poll(p, 1);
  }
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: page_views_raw BOOTSTRAP GROUP INPUT "
                         "REPARTITION OUTPUT\n");
    return 2;
  }
  const char* bootstrap = argv[1];
  std::string input = argv[3], repartition = argv[4], output = argv[5];
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);

  auto* pconf = make_conf({{"bootstrap.servers", bootstrap},
                           {"enable.idempotence", "true"},
                           {"acks", "all"},
                           {"partitioner", "murmur2_random"},
                           {"queue.buffering.max.messages", "1000000"}});
  rd_kafka_conf_set_dr_msg_cb(pconf, on_delivery);
  auto* producer = make_client(RD_KAFKA_PRODUCER, pconf);
  auto* to_repartition = rd_kafka_topic_new(producer, repartition.c_str(), {});
  auto* to_output = rd_kafka_topic_new(producer, output.c_str(), {});

  auto* cconf = make_conf({{"bootstrap.servers", bootstrap},
                           {"group.id", argv[2]},
                           {"auto.offset.reset", "earliest"},
                           {"enable.auto.commit", "false"},
                           {"partition.assignment.strategy", "range"},
                           {"fetch.wait.max.ms", "10"},
                           {"queued.min.messages", "1000000"}});
  rd_kafka_conf_set_rebalance_cb(cconf, on_rebalance);
  auto* consumer = make_client(RD_KAFKA_CONSUMER, cconf);
  rd_kafka_poll_set_consumer(consumer);
  auto* topics = rd_kafka_topic_partition_list_new(2);
  rd_kafka_topic_partition_list_add(topics, input.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  rd_kafka_topic_partition_list_add(topics, repartition.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  if (auto err = rd_kafka_subscribe(consumer, topics)) {
    std::fprintf(stderr, "page_views_raw: subscribe: %s\n",
                 rd_kafka_err2str(err));
    return 1;
  }
  rd_kafka_topic_partition_list_destroy(topics);
  auto* queue = rd_kafka_queue_get_consumer(consumer);

  simdjson::dom::parser parser;
  std::unordered_map<std::string, int64_t> counts;
  std::string key_json, count_text;
  constexpr size_t batch_size = 10'000;
  auto* batch = new rd_kafka_message_t*[batch_size];
  auto last_commit = std::chrono::steady_clock::now();
  while (!stopping) {
    auto n = rd_kafka_consume_batch_queue(queue, 100, batch, batch_size);
    for (ssize_t i = 0; i < n; ++i) {
      auto* m = batch[i];
      if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
          std::fprintf(stderr, "page_views_raw: %s\n",
                       rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
        continue;
      }
      std::string_view topic = rd_kafka_topic_name(m->rkt);
      if (topic == input) {
        std::string_view page;
        if (parser.parse(static_cast<const char*>(m->payload), m->len)["id"]
                .get(page)) {
          std::fprintf(
              stderr, "page_views_raw: not a page view at %s[%d]@%lld\n",
              topic.data(), m->partition, static_cast<long long>(m->offset));
          rd_kafka_message_destroy(m);
          continue;
        }
        // The key points into the parser's buffer, copied by librdkafka;
        // the value is forwarded as consumed (freed on delivery).
        produce(producer, to_repartition, page.data(), page.size(), m->payload,
                m->len, 0, m);
      } else {
        std::string page(static_cast<const char*>(m->key), m->key_len);
        auto count = ++counts[page];
        key_json = '"' + page + '"';
        count_text = std::to_string(count);
        produce(producer, to_output, key_json.data(), key_json.size(),
                count_text.data(), count_text.size(), RD_KAFKA_MSG_F_COPY,
                nullptr);
        rd_kafka_message_destroy(m);
      }
    }
    rd_kafka_poll(producer, 0);
    auto now = std::chrono::steady_clock::now();
    if (now - last_commit >= std::chrono::seconds(1)) {
      rd_kafka_commit(consumer, nullptr, /*async=*/1);
      last_commit = now;
    }
  }
  delete[] batch;
  rd_kafka_queue_destroy(queue);
  if (rd_kafka_flush(producer, 10'000))
    std::fprintf(stderr, "page_views_raw: %d records not delivered\n",
                 rd_kafka_outq_len(producer));
  rd_kafka_commit(consumer, nullptr, /*async=*/0);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_topic_destroy(to_repartition);
  rd_kafka_topic_destroy(to_output);
  rd_kafka_destroy(producer);
  return 0;
}
