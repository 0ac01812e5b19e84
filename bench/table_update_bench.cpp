// table_update: count-by-key updates/s into a RocksDB table with its
// changelog, on the embedded broker; alternating rounds, medians reported.
// Two figures:
// - table_update: ours without the table cache (`table_cache_max_bytes`
//   0, a changelog record per update, Faust's behaviour) against a raw
//   loop doing the same: per record it reads the count (a map of pending
//   counts, then RocksDB), adds one, puts it in a RocksDB WriteBatch
//   written every 1000 records, and produces the changelog record;
// - table_update_cached: ours with the cache (the default) against a raw
//   loop with the same idea: counts in a hash map, and every second (the
//   app's commit interval) and at the end one changelog record per
//   changed key and one WriteBatch once they are delivered.
// Both raw loops take records 10,000 at a time and use an idempotent
// producer with a 1M-record queue that knows the changelog's metadata
// before the clock starts. Ours is an agent doing
// `table[page] += 1` on a `rocksdb://` table (store writes after delivery,
// origin headers, offsets in the same write batch). All are timed from the
// first record until every changelog record is delivered and every count
// is in RocksDB.
#include "faust/app.hpp"

#include <nlohmann/json.hpp>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <unordered_map>

#include "bench/bench_util.hpp"
#include "bench/kafka_bench_util.hpp"

namespace {

/// The page a view names, as the table's JSON key (`"page7"`).
std::string json_key(const rd_kafka_message_t* m) {
  std::string key = "\"";
  key.append(static_cast<const char*>(m->payload), m->len);
  key += '"';
  return key;
}

rd_kafka_t* raw_producer(const std::string& bootstrap) {
  return bench::new_client(RD_KAFKA_PRODUCER,
                           {{"bootstrap.servers", bootstrap},
                            {"enable.idempotence", "true"},
                            {"queue.buffering.max.messages", "1000000"}});
}

void produce_count(rd_kafka_t* out, int32_t partition, const std::string& key,
                   const std::string& value) {
  while (rd_kafka_producev(
             out, RD_KAFKA_V_TOPIC("views-raw-changelog"),
             RD_KAFKA_V_PARTITION(partition),
             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
             RD_KAFKA_V_KEY(key.data(), key.size()),
             RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
    rd_kafka_poll(out, 1);
}

std::unique_ptr<rocksdb::DB> open_db(const std::filesystem::path& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, (dir / "db").string(), &raw).ok())
    std::exit(3);
  return std::unique_ptr<rocksdb::DB>(raw);
}

/// Baseline: raw consume + RocksDB WriteBatch + a changelog record per
/// update.
double raw_round(const std::string& bootstrap, const std::string& group,
                 size_t n) {
  auto dir = bench::fresh_dir("raw-" + group);
  auto db = open_db(dir);
  auto* out = raw_producer(bootstrap);
  auto* prepared = bench::prepare_topic(out, "views-raw-changelog");
  std::unordered_map<std::string, int64_t> pending;
  rocksdb::WriteBatch batch;
  size_t seen = 0;
  auto flush_batch = [&] {
    if (!db->Write(rocksdb::WriteOptions(), &batch).ok())
      std::exit(3);
    batch.Clear();
    pending.clear();
  };
  auto t0 = std::chrono::steady_clock::now();
  bench::raw_consume(bootstrap, group, "views", [&](rd_kafka_message_t* m) {
    if (seen == 0)
      t0 = std::chrono::steady_clock::now();
    auto key = json_key(m);
    int64_t count = 0;
    if (auto it = pending.find(key); it != pending.end()) {
      count = it->second;
    } else {
      std::string stored;
      if (db->Get(rocksdb::ReadOptions(), key, &stored).ok())
        count = std::stoll(stored);
    }
    auto value = std::to_string(++count);
    pending[key] = count;
    batch.Put(key, value);
    produce_count(out, m->partition, key, value);
    rd_kafka_poll(out, 0);
    if (++seen % 1000 == 0)
      flush_batch();
    return seen < n;
  });
  flush_batch();
  if (rd_kafka_flush(out, 60000))
    std::exit(3);
  double seconds = bench::seconds_since(t0);
  rd_kafka_topic_destroy(prepared);
  rd_kafka_destroy(out);
  db.reset();
  std::filesystem::remove_all(dir);
  return static_cast<double>(n) / seconds;
}

/// Baseline with a cache: counts in memory; every second and at the end,
/// one changelog record per changed key, then (once delivered) one
/// WriteBatch.
double raw_cached_round(const std::string& bootstrap, const std::string& group,
                        size_t n) {
  auto dir = bench::fresh_dir("raw-cached-" + group);
  auto db = open_db(dir);
  auto* out = raw_producer(bootstrap);
  auto* prepared = bench::prepare_topic(out, "views-raw-changelog");
  struct entry {
    int64_t count = 0;
    int32_t partition = 0;
    bool dirty = false;
  };
  std::unordered_map<std::string, entry> counts;
  std::vector<std::string> dirty;
  size_t seen = 0;
  auto flush = [&] {
    rocksdb::WriteBatch batch;
    for (auto& key : dirty) {
      auto& e = counts[key];
      auto value = std::to_string(e.count);
      produce_count(out, e.partition, key, value);
      batch.Put(key, value);
      e.dirty = false;
    }
    dirty.clear();
    if (rd_kafka_flush(out, 60000) ||
        !db->Write(rocksdb::WriteOptions(), &batch).ok())
      std::exit(3);
  };
  auto t0 = std::chrono::steady_clock::now();
  auto last_flush = t0;
  bench::raw_consume(bootstrap, group, "views", [&](rd_kafka_message_t* m) {
    if (seen == 0)
      t0 = last_flush = std::chrono::steady_clock::now();
    auto key = json_key(m);
    auto [it, fresh] = counts.try_emplace(key);
    if (fresh) {
      std::string stored;
      if (db->Get(rocksdb::ReadOptions(), key, &stored).ok())
        it->second.count = std::stoll(stored);
      it->second.partition = m->partition;
    }
    ++it->second.count;
    if (!it->second.dirty) {
      it->second.dirty = true;
      dirty.push_back(key);
    }
    if (++seen % 1000 == 0) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_flush >= std::chrono::seconds(1)) {
        flush();
        last_flush = now;
      }
    }
    return seen < n;
  });
  flush();
  double seconds = bench::seconds_since(t0);
  rd_kafka_topic_destroy(prepared);
  rd_kafka_destroy(out);
  db.reset();
  std::filesystem::remove_all(dir);
  return static_cast<double>(n) / seconds;
}

/// Ours: `table[page] += 1` on a rocksdb table; stop() drains, flushes the
/// producer and writes the stores, so the clock stops when all is durable.
double our_round(std::shared_ptr<bench::embedded_broker> broker,
                 const std::string& app_id, size_t n, size_t cache) {
  auto dir = bench::fresh_dir(app_id);
  faust::app app{{.id = app_id,
                  .broker = "embedded://",
                  .store = "rocksdb://",
                  .datadir = dir.string(),
                  .topic_partitions = 4,
                  .table_cache_max_bytes = cache,
                  .worker_threads = 2,
                  .embedded_broker = std::move(broker)}};
  auto views =
      app.topic<std::string, std::string>("views", {.value_serializer = "raw"});
  auto counts = app.table<std::string, int64_t>("counts", 0);
  bench::progress progress(n);
  app.agent("count", views, [&progress, counts](std::string& page) {
    counts[page] += 1;
    progress.tick();
  });
  app.start();
  if (progress.wait(std::chrono::minutes(5)) < 0)
    std::exit(1);
  app.stop();
  double seconds = progress.seconds_since_first();
  std::filesystem::remove_all(dir);
  return static_cast<double>(n) / seconds;
}

} // namespace

int main(int argc, char** argv) {
  const bool quick = bench::has_flag(argc, argv, "--quick");
  const size_t n = quick ? 50'000 : 200'000;
  const int round_count = quick ? 1 : 3;
  faust::set_log_level("warn");
  auto broker = bench::start_embedded_broker();
  for (auto* t : {"views", "views-raw-changelog"})
    if (!broker->create_topic(t, 4))
      return 2;
  std::vector<std::string> keys(n), values(n);
  for (size_t i = 0; i < n; ++i) {
    // Keyed by page, so a page's views are on one partition.
    values[i] = "page" + std::to_string((i * 7) % 10'000);
    keys[i] = values[i];
  }
  bench::load(broker->bootstrap(), "views", keys, values);

  bench::report_rounds("table_update", "updates/s", round_count, [&](int r) {
    double raw =
        raw_round(broker->bootstrap(), "raw-table-" + std::to_string(r), n);
    double ours =
        our_round(broker, "bench-table-update-" + std::to_string(r), n, 0);
    return std::pair{ours, raw};
  });
  const auto cache = faust::app_settings{}.table_cache_max_bytes;
  bench::report_rounds(
      "table_update_cached", "updates/s", round_count, [&](int r) {
        double raw = raw_cached_round(broker->bootstrap(),
                                      "raw-cached-" + std::to_string(r), n);
        double ours = our_round(
            broker, "bench-table-cached-" + std::to_string(r), n, cache);
        return std::pair{ours, raw};
      });
  return 0;
}
