// recovery_rate and warm_restart, on the embedded broker with 1M keys.
//
// recovery_rate: changelog records/s replayed into fresh RocksDB stores.
// Ours: the worker's recovery, asked of its table manager actor as the
// consumer asks it: one table partition actor per partition, each with a
// reader outside the group, replaying into its store in parallel, offsets
// in the same write batch, every `recovery_buffer_size` records. Baseline: a
// raw librdkafka consumer assigned the same partitions, writing each 1000
// records in one RocksDB WriteBatch per partition.
//
// warm_restart: seconds until the partitions are active again with their
// 1M keys already in RocksDB (a worker restarted after a clean stop): ours
// opens the stores, asks the broker where each changelog ends and replays
// what the stores miss (nothing). Baseline: opening the same RocksDB
// databases raw.
#include "actors/internal/app_core.hpp"
#include "actors/internal/messages.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <map>

#include "bench/bench_util.hpp"
#include "bench/kafka_bench_util.hpp"

namespace {

namespace internal = faust::internal;
constexpr int32_t partitions = 8;
const std::string changelog = "bench-counts-changelog";

/// Baseline: assign every changelog partition, WriteBatch per 1000 records.
double raw_recovery(const std::string& bootstrap, size_t n,
                    const std::filesystem::path& dir) {
  std::vector<std::unique_ptr<rocksdb::DB>> dbs(partitions);
  std::vector<rocksdb::WriteBatch> batches(partitions);
  rocksdb::Options options;
  options.create_if_missing = true;
  for (int32_t p = 0; p < partitions; ++p) {
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(options, (dir / std::to_string(p)).string(), &raw)
             .ok())
      std::exit(3);
    dbs[static_cast<size_t>(p)].reset(raw);
  }
  auto* c = bench::new_client(RD_KAFKA_CONSUMER,
                              {{"bootstrap.servers", bootstrap},
                               {"group.id", "raw-recovery"},
                               {"enable.auto.commit", "false"},
                               {"fetch.wait.max.ms", "10"},
                               {"queued.min.messages", "1000000"}});
  rd_kafka_poll_set_consumer(c);
  bench::assign_from_beginning(c, changelog, partitions);
  auto t0 = std::chrono::steady_clock::now();
  size_t seen = 0;
  while (seen < n) {
    auto* m = rd_kafka_consumer_poll(c, 1000);
    if (!m)
      continue;
    if (!m->err) {
      auto& batch = batches[static_cast<size_t>(m->partition)];
      batch.Put(rocksdb::Slice(static_cast<const char*>(m->key), m->key_len),
                rocksdb::Slice(static_cast<const char*>(m->payload), m->len));
      if (batch.Count() >= 1000) {
        if (!dbs[static_cast<size_t>(m->partition)]
                 ->Write(rocksdb::WriteOptions(), &batch)
                 .ok())
          std::exit(3);
        batch.Clear();
      }
      ++seen;
    }
    rd_kafka_message_destroy(m);
  }
  for (int32_t p = 0; p < partitions; ++p)
    if (!dbs[static_cast<size_t>(p)]
             ->Write(rocksdb::WriteOptions(), &batches[static_cast<size_t>(p)])
             .ok())
      std::exit(3);
  double seconds = bench::seconds_since(t0);
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
  return static_cast<double>(n) / seconds;
}

/// A worker's view of one table with `partitions` partitions in `dir`, and
/// its table manager actor.
struct worker {
  caf::actor_system& sys;
  std::shared_ptr<internal::app_core> core;
  std::shared_ptr<internal::table_desc> table;
  internal::table_manager_api manager;

  worker(caf::actor_system& sys, const std::string& bootstrap,
         const std::filesystem::path& dir)
      : sys(sys) {
    faust::app_settings s;
    s.id = "bench";
    s.broker = "kafka://" + bootstrap;
    s.datadir = dir.string();
    core = std::make_shared<internal::app_core>(s);
    core->bootstrap = bootstrap;
    core->embedded_cluster = true;
    table = std::make_shared<internal::table_desc>();
    table->name = "counts";
    table->changelog_topic = changelog;
    table->partitions = partitions;
    table->store_url = "rocksdb://";
    table->options.on_changelog_event = [this](const faust::models::message&) {
      read_so_far.fetch_add(1, std::memory_order_relaxed);
    };
    for (int32_t p = 0; p < partitions; ++p)
      table->parts.push_back(std::make_unique<internal::table_partition>(p));
    core->tables.push_back(table);
    // The topic the table is co-partitioned with.
    faust::topic_options source;
    source.partitions = partitions;
    core->declare_topic({"source"}, source);
    manager = internal::spawn_table_manager(sys, core);
  }

  /// Assigns every partition and has the table manager recover them, as
  /// the consumer does; returns the changelog records read.
  uint64_t recover() {
    internal::assignment all;
    for (int32_t p = 0; p < partitions; ++p)
      all.partitions.push_back({"source", p});
    uint64_t before = read_so_far.load();
    caf::scoped_actor self{sys};
    bool ok = false;
    self->request(manager, caf::infinite, internal::recover_atom::value,
                  std::move(all))
        .receive([&](bool done) { ok = done; }, [](caf::error&) {});
    if (!ok)
      std::exit(3);
    return read_so_far.load() - before;
  }

  /// A clean stop: stores keep their data and the changelog offset. Returns
  /// once the manager and its partition actors are gone (their stores are
  /// closed, so the next worker can open them).
  void stop() {
    caf::scoped_actor self{sys};
    self->request(manager, caf::infinite, internal::release_all_atom::value)
        .receive([](bool) {}, [](caf::error&) {});
    std::vector<internal::table_partition_api> parts;
    self->request(manager, std::chrono::seconds{10},
                  internal::parts_atom::value)
        .receive(
            [&](std::vector<internal::table_partition_api>& p) {
              parts = std::move(p);
            },
            [](caf::error&) { std::exit(6); });
    for (auto& part : parts)
      self->monitor(part);
    self->monitor(manager);
    size_t left = parts.size() + 1;
    parts.clear();
    caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
    manager = nullptr;
    for (; left > 0; --left)
      self->receive([](const caf::down_msg&) {},
                    caf::after(std::chrono::seconds{30}) >>
                        [] { std::exit(6); });
  }

  /// Changelog records read by recoveries (`on_changelog_event`).
  std::atomic<uint64_t> read_so_far{0};
};

/// Baseline of warm_restart: open the databases raw.
double raw_open(const std::filesystem::path& dir) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<rocksdb::DB>> dbs;
  rocksdb::Options options;
  for (int32_t p = 0; p < partitions; ++p) {
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(options, (dir / std::to_string(p)).string(), &raw)
             .ok())
      std::exit(3);
    dbs.emplace_back(raw);
  }
  return bench::seconds_since(t0);
}

} // namespace

int main(int argc, char** argv) {
  const bool quick = bench::has_flag(argc, argv, "--quick");
  const size_t n = quick ? 100'000 : 1'000'000;
  const int round_count = quick ? 1 : 3;
  faust::set_log_level("warn");
  auto broker = bench::start_embedded_broker();
  if (!broker->create_topic(changelog, partitions))
    return 2;
  // One record per key (a compacted changelog of n keys).
  std::vector<std::string> keys(n), values(n);
  for (size_t i = 0; i < n; ++i) {
    keys[i] = "\"k" + std::to_string(i) + "\"";
    values[i] = std::to_string(i % 1000);
  }
  bench::load(broker->bootstrap(), changelog, keys, values);

  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::vector<double> warm, raw_warm;
  bench::report_rounds("recovery_rate", "records/s", round_count, [&](int r) {
    auto raw_dir = bench::fresh_dir("raw-recovery-" + std::to_string(r));
    double raw = raw_recovery(broker->bootstrap(), n, raw_dir);
    auto dir = bench::fresh_dir("recovery-" + std::to_string(r));
    double ours = 0;
    {
      worker w(sys, broker->bootstrap(), dir);
      auto t0 = std::chrono::steady_clock::now();
      auto read = w.recover();
      double seconds = bench::seconds_since(t0);
      size_t keys_stored = 0;
      for (auto& part : w.table->parts)
        part->readable()->for_each([&](std::string_view, std::string_view) {
          ++keys_stored;
          return true;
        });
      if (read != n || keys_stored != n) {
        std::fprintf(stderr, "recovered %llu of %zu records (%zu keys)\n",
                     static_cast<unsigned long long>(read), n, keys_stored);
        std::exit(4);
      }
      ours = static_cast<double>(n) / seconds;
      w.stop();
    }
    {
      // Restart on the stores just filled.
      worker w(sys, broker->bootstrap(), dir);
      auto t0 = std::chrono::steady_clock::now();
      auto read = w.recover();
      warm.push_back(bench::seconds_since(t0));
      for (auto& part : w.table->parts)
        if (!part->readable())
          std::exit(5);
      if (read != 0)
        std::exit(5);
      w.stop();
    }
    raw_warm.push_back(raw_open(raw_dir));
    std::filesystem::remove_all(raw_dir);
    std::filesystem::remove_all(dir);
    return std::pair{ours, raw};
  });
  bench::report("warm_restart", bench::median(warm), bench::median(raw_warm),
                "s");
  return 0;
}
