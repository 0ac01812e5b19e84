// ask_kafka_p99: an ask through Kafka, Faust's way (the request record to
// the agent's topic, the worker's consumer, the agent, a @ReqRepResponse to
// the caller's reply topic, the caller's reply consumer), one at a time,
// worker and caller in one process on the embedded broker. Baseline: a raw
// librdkafka request/reply loop on the same broker in the same run: a
// server thread (a consumer assigned to the request topic's partitions,
// a producer of replies) and the caller (a producer of requests, a
// consumer assigned to the reply topic), also one call at a time. Both
// are tuned as our clients are: the app's producer settings (idempotence,
// acks=all, librdkafka's default linger), its consumer settings on the
// embedded broker (`fetch.wait.max.ms` 10, `queued.min.messages`), each
// record taken as soon as the consumer has it. The mock broker answers a
// fetch only when its wait is over, so its fetch wait bounds both.
//
//   ask_kafka_bench [--quick]
#include "faust/app.hpp"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/caf_bench_util.hpp"
#include "bench/kafka_bench_util.hpp"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

/// The properties our app's clients get on the embedded broker
/// (transport/kafka/producer.cpp, actors/internal/kafka_consumer.cpp).
bench::props producer_props(const std::string& bootstrap) {
  return {{"bootstrap.servers", bootstrap},
          {"enable.idempotence", "true"},
          {"acks", "all"},
          {"partitioner", "murmur2_random"}};
}
bench::props consumer_props(const std::string& bootstrap,
                            const std::string& group) {
  return {{"bootstrap.servers", bootstrap},
          {"group.id", group},
          {"enable.auto.commit", "false"},
          {"fetch.wait.max.ms", "10"},
          {"queued.min.messages", "1000000"}};
}

/// The raw request/reply loop: requests to `raw-requests` (4 partitions,
/// keyed), replies to `raw-replies`.
class raw_loop {
public:
  explicit raw_loop(const std::string& bootstrap)
      : server_in_(bench::new_client(RD_KAFKA_CONSUMER,
                                     consumer_props(bootstrap, "raw-server"))),
        server_out_(
            bench::new_client(RD_KAFKA_PRODUCER, producer_props(bootstrap))),
        caller_out_(
            bench::new_client(RD_KAFKA_PRODUCER, producer_props(bootstrap))),
        caller_in_(bench::new_client(RD_KAFKA_CONSUMER,
                                     consumer_props(bootstrap, "raw-caller"))) {
    // Topic handles first: the first record sent does not wait for
    // metadata (as the app's producer).
    requests_ = bench::prepare_topic(caller_out_, "raw-requests");
    replies_ = bench::prepare_topic(server_out_, "raw-replies");
    // From the beginning: nothing sent before an assignment took effect is
    // missed (stale replies are skipped by value).
    bench::assign_from_beginning(server_in_, "raw-requests", 4);
    bench::assign_from_beginning(caller_in_, "raw-replies", 1);
    server_ = std::thread([this] { serve(); });
  }
  ~raw_loop() {
    stop_ = true;
    server_.join();
    rd_kafka_topic_destroy(requests_);
    rd_kafka_topic_destroy(replies_);
    for (auto* c : {server_in_, caller_in_}) {
      rd_kafka_consumer_close(c);
      rd_kafka_destroy(c);
    }
    for (auto* p : {server_out_, caller_out_}) {
      rd_kafka_flush(p, 5000);
      rd_kafka_destroy(p);
    }
  }
  raw_loop(const raw_loop&) = delete;
  raw_loop& operator=(const raw_loop&) = delete;

  /// Asks `n` times from `first`; each round trip in µs (empty when a
  /// reply does not come within `timeout`).
  std::vector<double> measure(int64_t first, int64_t n,
                              std::chrono::milliseconds timeout = 5s) {
    std::vector<double> us;
    for (int64_t i = first; i < first + n; ++i) {
      auto key = bench::key_of(i);
      auto value = std::to_string(i);
      auto want = std::to_string(i + 1);
      auto t0 = clock_type::now();
      rd_kafka_produce(requests_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                       value.data(), value.size(), key.data(), key.size(),
                       nullptr);
      rd_kafka_poll(caller_out_, 0);
      bool answered = false;
      while (!answered && clock_type::now() - t0 < timeout) {
        auto* m = rd_kafka_consumer_poll(caller_in_, 100);
        if (!m)
          continue;
        answered = !m->err && std::string_view(static_cast<char*>(m->payload),
                                               m->len) == want;
        rd_kafka_message_destroy(m);
      }
      if (!answered)
        return {};
      us.push_back(
          std::chrono::duration<double, std::micro>(clock_type::now() - t0)
              .count());
    }
    return us;
  }

private:
  void serve() {
    while (!stop_) {
      rd_kafka_poll(server_out_, 0);
      auto* m = rd_kafka_consumer_poll(server_in_, 100);
      if (!m)
        continue;
      if (!m->err) {
        auto v =
            std::stoll(std::string(static_cast<char*>(m->payload), m->len));
        auto reply = std::to_string(v + 1);
        rd_kafka_produce(replies_, 0, RD_KAFKA_MSG_F_COPY, reply.data(),
                         reply.size(), m->key, m->key_len, nullptr);
      }
      rd_kafka_message_destroy(m);
    }
  }

  rd_kafka_t* server_in_;
  rd_kafka_t* server_out_;
  rd_kafka_t* caller_out_;
  rd_kafka_t* caller_in_;
  rd_kafka_topic_t* requests_ = nullptr;
  rd_kafka_topic_t* replies_ = nullptr;
  std::atomic<bool> stop_{false};
  std::thread server_;
};

} // namespace

int main(int argc, char** argv) {
  const bool quick = bench::has_flag(argc, argv, "--quick");
  const int64_t n = quick ? 60 : 300;
  const int rounds = quick ? 1 : 3;

  auto broker = bench::start_embedded_broker();
  faust::set_log_level("warn");
  faust::app app({.id = "bench-kafka-ask",
                  .broker = "kafka://" + broker->bootstrap(),
                  .topic_partitions = 4});
  auto echo = app.agent<int64_t>("echo", [](int64_t& v) { return v + 1; }, {},
                                 {.partitions = 4});
  app.start();
  raw_loop raw(broker->bootstrap());

  int64_t next_ours = 0, next_raw = 0;
  auto ours_round = [&](int64_t count) {
    std::vector<double> us;
    for (int64_t i = next_ours; i < next_ours + count; ++i) {
      auto t0 = clock_type::now();
      auto got = echo.ask(i, {.key = bench::key_of(i),
                              .timeout = 5s,
                              .via = faust::internal::call_path::kafka});
      if (!got || *got != i + 1) {
        std::fprintf(stderr, "ask: %s\n",
                     got ? "a wrong reply" : got.error().message.c_str());
        return std::vector<double>{};
      }
      us.push_back(
          std::chrono::duration<double, std::micro>(clock_type::now() - t0)
              .count());
    }
    next_ours += count;
    return us;
  };
  auto raw_round = [&](int64_t count) {
    auto us = raw.measure(next_raw, count);
    next_raw += count;
    return us;
  };
  // The worker joins its group and the reply consumer its own; the raw
  // consumers get their assignments: warm both until calls answer.
  auto deadline = clock_type::now() + 60s;
  while (!echo.ask(0, {.key = bench::key_of(0),
                       .timeout = 2s,
                       .via = faust::internal::call_path::kafka}))
    if (clock_type::now() > deadline) {
      std::fprintf(stderr, "the worker never answered\n");
      return 2;
    }
  while (raw.measure(next_raw++, 1, 2s).empty())
    if (clock_type::now() > deadline) {
      std::fprintf(stderr, "the raw loop never answered\n");
      return 2;
    }
  (void)raw_round(n / 10);
  (void)ours_round(n / 10);

  bench::latency_rounds figures;
  bool ok = figures.run(
      rounds, [&] { return raw_round(n); }, [&] { return ours_round(n); });
  app.stop();
  if (!ok)
    return 2;
  figures.report("ask_kafka");
  return 0;
}
