#include "actors/internal/table_runtime.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/source_scope.hpp"
#include "actors/internal/user_hook.hpp"
#include "storage/memory_store.hpp"
#include "storage/rocksdb_store.hpp"
#include "storage/windowed_key.hpp"
#include "supervision/logger.hpp"
#include "transport/kafka/watermarks.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace faust::internal {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class kafka_changelog_source final : public changelog_source {
public:
  kafka_changelog_source(
      std::unique_ptr<transport::kafka::partition_reader> reader,
      milliseconds timeout, const stop_control& stop)
      : reader_(std::move(reader)), timeout_(timeout), stop_(stop) {}

  result<std::pair<int64_t, int64_t>>
  watermarks(const models::topic_partition& tp) override {
    return reader_->watermarks(tp, stop_.bound(timeout_));
  }
  result<uint64_t>
  read(const std::vector<transport::kafka::partition_range>& ranges,
       const std::function<void(const models::message&)>& fn) override {
    // A stop ends a recovery or standby pass early: nothing of it is lost,
    // the store keeps the offset it reached.
    return reader_->read(ranges, fn, timeout_ * 6,
                         [this] { return stop_.stopping(); });
  }

private:
  std::unique_ptr<transport::kafka::partition_reader> reader_;
  milliseconds timeout_;
  const stop_control& stop_;
};

class memory_changelog_source final : public changelog_source {
public:
  explicit memory_changelog_source(transport::memory_broker& broker)
      : broker_(broker) {}

  result<std::pair<int64_t, int64_t>>
  watermarks(const models::topic_partition& tp) override {
    return std::pair<int64_t, int64_t>{0, broker_.high_watermark(tp)};
  }
  result<uint64_t>
  read(const std::vector<transport::kafka::partition_range>& ranges,
       const std::function<void(const models::message&)>& fn) override {
    uint64_t n = 0;
    for (auto& r : ranges)
      for (auto offset = r.from; offset < r.until;) {
        auto got = broker_.fetch(r.tp, offset, 4096);
        if (got.empty())
          break;
        for (auto& m : got) {
          if (m.offset >= r.until)
            break;
          fn(m);
          ++n;
          offset = m.offset + 1;
        }
      }
    return n;
  }

private:
  transport::memory_broker& broker_;
};

std::string name_of(const table_desc& t, int32_t partition) {
  return "table '" + t.name + "' partition " + std::to_string(partition);
}

/// The producer whose epochs say when `part`'s changelog records are
/// delivered; null: records go to the in-process log (delivered at once).
std::shared_ptr<transport::kafka::producer> delivery_producer(app_core& core) {
  if (core.transactions)
    if (auto* source = current_source())
      if (auto p = core.transactions->producer_for(*source))
        return p;
  return core.producer;
}

void persist_locked(app_core& core, table_partition& part,
                    const table_desc* table) {
  auto& active = *part.active;
  auto gate = part.delivery;
  auto written = active.persist(
      [&](uint64_t epoch) { return !gate || gate->delivered_through(epoch); });
  if (!written)
    core.fail((table ? name_of(*table, part.number)
                     : "table partition " + std::to_string(part.number)) +
              ": cannot write its store: " + written.error().message);
}

/// The fate of store writes whose changelog records went out in
/// transaction `n` of `gate`.
std::function<storage::batch_fate()>
transaction_fate(std::shared_ptr<transport::kafka::producer> gate, uint64_t n) {
  return [gate = std::move(gate), n] {
    using end = transport::kafka::producer::transaction_end;
    switch (gate->end_of(n)) {
    case end::committed:
      return storage::batch_fate::durable;
    case end::aborted:
      return storage::batch_fate::discarded;
    case end::open:
      break;
    }
    return storage::batch_fate::pending;
  };
}

/// Seals what `part` has finished, with an epoch of `gate` (or, for a
/// transactional producer, its open transaction); false if the producer
/// has too many epochs in flight (try again later).
bool seal_locked(table_partition& part,
                 std::shared_ptr<transport::kafka::producer> gate) {
  auto& active = *part.active;
  if (active.event_in_progress())
    return false;
  if (gate && gate->transactional()) {
    // Each batch knows its own transaction: no flush on a change of gate.
    part.delivery = gate;
    active.seal(transaction_fate(gate, gate->transaction()));
    return true;
  }
  if (part.delivery && gate != part.delivery && active.pending_batches() > 0) {
    // The records went through another producer (exactly_once, a new
    // source): its earlier batches must be delivered first.
    if (auto flushed = part.delivery->flush(milliseconds{30000}); !flushed)
      return false;
  }
  part.delivery = gate;
  uint64_t epoch = 0;
  if (gate) {
    auto sealed = gate->seal_epoch();
    if (!sealed)
      return false;
    epoch = *sealed;
  }
  active.seal(epoch);
  return true;
}

/// After a flush of `part`'s producer: the changelog offset every record
/// before which the store now reflects.
void checkpoint_locked(app_core& core, table_partition& part,
                       const table_desc& table) {
  auto& active = *part.active;
  if (active.pending_batches() > 0)
    return;
  auto& tp = active.changelog();
  int64_t high = -1;
  if (core.producer) {
    // Without a broker the query cannot answer: keep the stored offset (a
    // restart replays the tail again, which changes nothing).
    if (!core.stats.broker_reachable.load())
      return;
    auto queried = transport::kafka::query_high_watermark(
        core.producer->handle(), tp,
        core.stop.bound(std::min(core.settings.broker_request_timeout,
                                 milliseconds{2000})));
    if (!queried)
      return; // replayed again, from the offset stored before
    high = *queried;
  } else {
    high = core.broker->high_watermark(tp);
  }
  if (high <= 0)
    return;
  storage::store_batch b;
  b.changelog_applied(high - 1);
  if (auto ok = active.store().write(b); !ok)
    faust::log().warn("{}: cannot record its changelog offset: {}",
                      name_of(table, part.number), ok.error().message);
}

void release_locked(app_core& core, table_partition& part,
                    const table_desc& table, bool wait_for_delivery = true) {
  part.assigned = false;
  ++part.generation;
  if (!part.active)
    return;
  auto& active = *part.active;
  active.abandon_event();
  auto gate = part.delivery ? part.delivery : delivery_producer(core);
  // Seal what its finished events wrote (after a flush the producer has
  // room for a new epoch), then wait for every changelog record.
  bool sealed = seal_locked(part, gate);
  // A lost partition (no broker, or another worker has it) waits for
  // nothing: what is delivered is persisted, the rest is replayed later.
  if (gate && wait_for_delivery) {
    if (auto flushed =
            gate->flush(core.stop.bound(core.settings.shutdown_timeout),
                        core.stop.interrupter());
        !flushed)
      faust::log().warn("{}: changelog not fully delivered on release: {}",
                        name_of(table, part.number), flushed.error().message);
    if (!sealed && seal_locked(part, gate))
      (void)gate->flush(core.stop.bound(core.settings.shutdown_timeout),
                        core.stop.interrupter());
  }
  persist_locked(core, part, &table);
  if (wait_for_delivery)
    checkpoint_locked(core, part, table);
  auto store = std::move(active).release_store();
  part.active.reset();
  part.delivery.reset();
  // A standby keeps following it; a memory store would be lost otherwise.
  if (!table.uses_rocksdb() || standbys_enabled(core))
    part.kept = std::move(store);
}

/// A windowed table with `expires`: tracks the windows of the keys a
/// partition has after recovery, so they expire as if written here.
void track_windows(const table_desc& table, table_partition& part) {
  if (!table.window || !table.window->expires()) {
    part.expiry.reset();
    return;
  }
  part.expiry = std::make_unique<storage::window_expiry>(*table.window);
  part.active->for_each([&](std::string_view key, std::string_view) {
    if (auto parts = storage::split_windowed_key(key))
      part.expiry->track(std::string(key), parts->range.end);
    return true;
  });
}

bool co_partitioned(app_core& core, const table_desc& table,
                    const models::topic_partition& tp) {
  return tp.topic != core.reply_topic && tp.partition < table.partitions &&
         core.partitions_of(tp.topic) == table.partitions;
}

} // namespace

bool standbys_enabled(const app_core& core) {
  return core.uses_kafka() && core.settings.table_standby_replicas > 0;
}

result<std::unique_ptr<changelog_source>>
make_changelog_source(app_core& core) {
  if (!core.uses_kafka())
    return std::unique_ptr<changelog_source>(
        new memory_changelog_source(*core.broker));
  transport::kafka::partition_reader_options opts;
  opts.bootstrap = core.bootstrap;
  opts.client_id = core.app_id + "-changelog-reader";
  opts.read_committed = core.settings.processing_guarantee == "exactly_once";
  opts.extra = core.settings.consumer_properties;
  if (core.embedded_cluster)
    opts.extra["fetch.wait.max.ms"] = "10";
  auto reader = transport::kafka::partition_reader::create(opts);
  if (!reader)
    return reader.error();
  return std::unique_ptr<changelog_source>(new kafka_changelog_source(
      std::move(*reader), core.settings.broker_request_timeout, core.stop));
}

result<std::unique_ptr<storage::partition_store>>
open_store(app_core& core, const table_desc& table, int32_t partition) {
  if (!table.uses_rocksdb())
    return std::unique_ptr<storage::partition_store>(new storage::memory_store(
        table.name + "-" + std::to_string(partition)));
  // Faust's tabledir: <datadir>/v<version>/tables/<table>-<partition>.db
  std::filesystem::path dir = core.settings.data_directory();
  dir /= "v" + std::to_string(core.settings.version);
  dir /= "tables";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return error{errc::store, "cannot create the table directory " +
                                  dir.string() + ": " + ec.message()};
  auto path = dir / (table.name + "-" + std::to_string(partition) + ".db");
  auto store = storage::rocksdb_store::open(path);
  if (!store)
    return store.error().with_context(name_of(table, partition) + ": ");
  return std::unique_ptr<storage::partition_store>(std::move(*store));
}

std::vector<recovery_target>
assign_partitions(app_core& core,
                  const std::vector<models::topic_partition>& assigned) {
  std::vector<recovery_target> out;
  for (auto& table : core.tables) {
    std::set<int32_t> numbers;
    for (auto& tp : assigned)
      if (co_partitioned(core, *table, tp))
        numbers.insert(tp.partition);
    for (auto n : numbers) {
      auto& part = *table->parts[static_cast<size_t>(n)];
      std::lock_guard lock(part.mutex);
      if (part.assigned)
        continue;
      part.assigned = true;
      ++part.generation;
      out.push_back({table.get(), &part, part.generation});
    }
  }
  return out;
}

result<recovery_report> recover(app_core& core, changelog_source& source,
                                const std::vector<recovery_target>& targets) {
  struct job {
    recovery_target target;
    std::unique_ptr<storage::partition_store> store;
    std::unique_ptr<storage::changelog_replay> replay;
    models::topic_partition changelog;
    size_t since_flush = 0;
    uint64_t applied = 0;
  };
  recovery_report report;
  auto started = steady_clock::now();
  std::vector<job> jobs;
  std::vector<transport::kafka::partition_range> ranges;
  std::map<models::topic_partition, size_t> by_tp;
  uint64_t total = 0;
  for (auto& t : targets) {
    job j{t, nullptr, nullptr, {t.table->changelog_topic, t.part->number}};
    {
      std::lock_guard lock(t.part->mutex);
      if (t.part->generation != t.generation || t.part->active)
        continue;
      j.store = std::move(t.part->kept);
    }
    if (!j.store) {
      auto opened = open_store(core, *t.table, t.part->number);
      if (!opened)
        return opened.error();
      j.store = std::move(*opened);
    }
    auto marks = source.watermarks(j.changelog);
    if (!marks)
      return marks.error().with_context(name_of(*t.table, t.part->number) +
                                        ": ");
    auto applied = j.store->offsets().changelog;
    int64_t from = std::max(applied ? *applied + 1 : 0, marks->first);
    if (from < marks->second) {
      ranges.push_back({j.changelog, from, marks->second});
      total += static_cast<uint64_t>(marks->second - from);
    }
    j.replay = std::make_unique<storage::changelog_replay>(
        *j.store, t.table->changelog_format);
    by_tp[j.changelog] = jobs.size();
    jobs.push_back(std::move(j));
  }
  if (total > 0)
    faust::log().info("recovery: {} table partitions, {} changelog records "
                      "to read",
                      jobs.size(), total);
  auto last_log = steady_clock::now();
  std::string failure;
  auto apply = [&](const models::message& m) {
    auto& j = jobs[by_tp[{m.topic, m.partition}]];
    j.replay->add(m);
    if (auto& on_event = j.target.table->options.on_changelog_event)
      run_user_hook(
          "table '" + j.target.table->name + "': on_changelog_event",
          [&] { on_event(m); }, core.stats.hook_errors);
    ++report.records_read;
    if (++j.since_flush >=
        std::max<size_t>(1, j.target.table->options.recovery_buffer_size)) {
      j.since_flush = 0;
      auto flushed = j.replay->flush();
      if (!flushed)
        throw std::runtime_error(
            name_of(*j.target.table, j.target.part->number) +
            ": cannot write its store: " + flushed.error().message);
      j.applied += *flushed;
    }
    if (auto now = steady_clock::now();
        now - last_log >= std::chrono::seconds{1}) {
      last_log = now;
      auto secs = std::chrono::duration<double>(now - started).count();
      auto rate = static_cast<double>(report.records_read) / secs;
      auto left = rate > 0 ? static_cast<double>(
                                 total - std::min(total, report.records_read)) /
                                 rate
                           : 0.0;
      faust::log().info(
          "recovery: {}/{} changelog records ({:.0f}/s, ~{:.1f} s "
          "left)",
          report.records_read, total, rate, left);
    }
  };
  try {
    if (!ranges.empty())
      if (auto read = source.read(ranges, apply); !read)
        return read.error().with_context("table recovery: ");
  } catch (const std::exception& e) {
    return error{errc::store, std::string("table recovery: ") + e.what()};
  }
  std::set<table_desc*> recovered_tables;
  for (auto& j : jobs) {
    j.replay->discard_incomplete();
    auto flushed = j.replay->flush();
    if (!flushed)
      return error{errc::store,
                   name_of(*j.target.table, j.target.part->number) +
                       ": cannot write its store: " + flushed.error().message};
    j.applied += *flushed;
    report.records_applied += j.applied;
    if (j.replay->dropped() > 0)
      faust::log().warn("{}: dropped {} changelog records of events cut "
                        "short (they are processed again)",
                        name_of(*j.target.table, j.target.part->number),
                        j.replay->dropped());
    if (j.replay->malformed() > 0)
      faust::log().error("{}: skipped {} changelog records that are not "
                         "valid for the table; the last: {}",
                         name_of(*j.target.table, j.target.part->number),
                         j.replay->malformed(), j.replay->last_malformed());
    j.replay.reset();
    std::lock_guard lock(j.target.part->mutex);
    if (j.target.part->generation != j.target.generation) {
      if (!j.target.table->uses_rocksdb() || standbys_enabled(core))
        j.target.part->kept = std::move(j.store);
      continue; // released meanwhile
    }
    j.target.part->active = std::make_unique<storage::active_partition>(
        std::move(j.store), j.changelog);
    track_windows(*j.target.table, *j.target.part);
    ++report.partitions;
    recovered_tables.insert(j.target.table);
  }
  report.took =
      std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);
  report.tables.assign(recovered_tables.begin(), recovered_tables.end());
  return report;
}

void recovery_report::merge(const recovery_report& other) {
  partitions += other.partitions;
  records_read += other.records_read;
  records_applied += other.records_applied;
  took = std::max(took, other.took);
  for (auto* t : other.tables)
    if (std::find(tables.begin(), tables.end(), t) == tables.end())
      tables.push_back(t);
}

void finish_recovery(app_core& core, const recovery_report& report) {
  if (report.partitions > 0)
    faust::log().info("recovery done: {} table partitions, {} changelog "
                      "records read, {} applied, in {} ms",
                      report.partitions, report.records_read,
                      report.records_applied, report.took.count());
  for (auto* t : report.tables)
    if (t->options.on_recover)
      run_user_hook("table '" + t->name + "': on_recover",
                    t->options.on_recover, core.stats.hook_errors);
}

namespace {

/// Reads `part`'s changelog from where `store` is to at most `max_records`
/// further, into `store`.
void catch_up(changelog_source& source, const table_desc& table,
              const table_partition& part, storage::partition_store& store,
              int64_t max_records, standby_report& report,
              std::atomic<uint64_t>& hook_errors) {
  models::topic_partition changelog{table.changelog_topic, part.number};
  auto marks = source.watermarks(changelog);
  if (!marks) {
    faust::log().debug("standby {}: {}", name_of(table, part.number),
                       marks.error().message);
    return;
  }
  auto applied = store.offsets().changelog;
  int64_t from = std::max(applied ? *applied + 1 : 0, marks->first);
  int64_t until = std::min(marks->second, from + max_records);
  if (from >= until)
    return;
  storage::changelog_replay replay(store, table.changelog_format);
  auto buffer = table.options.standby_buffer_size.value_or(
      table.options.recovery_buffer_size);
  size_t since_flush = 0;
  bool failed = false;
  auto apply = [&](const models::message& m) {
    ++report.records_read;
    if (table.options.on_changelog_event)
      run_user_hook(
          "table '" + table.name + "': on_changelog_event",
          [&] { table.options.on_changelog_event(m); }, hook_errors);
    replay.add(m);
    if (++since_flush >= buffer && !failed) {
      since_flush = 0;
      if (auto n = replay.flush())
        report.records_applied += *n;
      else
        failed = true;
    }
  };
  auto read = source.read({{changelog, from, until}}, apply);
  // An event's records still being written stay for the next pass (no
  // discard_incomplete: the owner may be producing the rest).
  auto flushed = replay.flush();
  if (flushed)
    report.records_applied += *flushed;
  if (!read)
    faust::log().warn("standby {}: {}", name_of(table, part.number),
                      read.error().message);
  else if (!flushed || failed)
    faust::log().warn("standby {}: cannot write its store{}",
                      name_of(table, part.number),
                      flushed ? "" : ": " + flushed.error().message);
  if (replay.malformed() > 0)
    faust::log().error("standby {}: skipped {} changelog records that are "
                       "not valid for the table; the last: {}",
                       name_of(table, part.number), replay.malformed(),
                       replay.last_malformed());
}

} // namespace

standby_report follow_standby(app_core& core, changelog_source& source,
                              table_desc& table, table_partition& part,
                              int64_t max_records) {
  standby_report report;
  if (!standbys_enabled(core) || !core.group_assigned)
    return report;
  std::unique_ptr<storage::partition_store> store;
  {
    std::lock_guard lock(part.mutex);
    if (part.assigned || part.active)
      return report; // owned here
    store = std::move(part.kept);
  }
  if (!store) {
    auto opened = open_store(core, table, part.number);
    if (!opened) {
      faust::log().warn("standby {}: {}", name_of(table, part.number),
                        opened.error().message);
      return report;
    }
    store = std::move(*opened);
  }
  catch_up(source, table, part, *store, max_records, report,
           core.stats.hook_errors);
  std::lock_guard lock(part.mutex);
  if (!part.active && !part.kept)
    part.kept = std::move(store);
  return report;
}

void release_partitions(app_core& core,
                        const std::vector<models::topic_partition>& revoked,
                        const std::vector<models::topic_partition>& remaining,
                        bool lost) {
  for (auto& table : core.tables) {
    std::set<int32_t> kept;
    for (auto& tp : remaining)
      if (co_partitioned(core, *table, tp))
        kept.insert(tp.partition);
    std::set<int32_t> gone;
    for (auto& tp : revoked)
      if (co_partitioned(core, *table, tp) && !kept.count(tp.partition))
        gone.insert(tp.partition);
    for (auto n : gone) {
      auto& part = *table->parts[static_cast<size_t>(n)];
      std::lock_guard lock(part.mutex);
      release_locked(core, part, *table, !lost);
    }
  }
}

void release_all(app_core& core) {
  for (auto& table : core.tables)
    for (auto& part : table->parts) {
      std::lock_guard lock(part->mutex);
      release_locked(core, *part, *table);
      // Stopping: standbys end too, and a RocksDB store is closed (another
      // worker may open it now); a memory store is all there is of its state.
      if (table->uses_rocksdb())
        part->kept.reset();
    }
}

void finish_event(app_core& core, table_partition& part) {
  // Produced under the lock, so a release that seals and flushes after
  // this event finished finds all its records sent.
  std::lock_guard lock(part.mutex);
  if (!part.active)
    return; // released meanwhile: the next owner processes the event
  auto records = part.active->finish_event();
  for (auto& r : records)
    if (auto sent = core.produce(std::move(r)); !sent) {
      auto& tp = part.active->changelog();
      core.fail("cannot produce to the changelog " + tp.topic + "[" +
                std::to_string(tp.partition) + "]: " + sent.error().message);
    }
  // exactly_once: the event's writes wait for its transaction's commit (and
  // are dropped if it aborts), so one batch per event: a batch never spans
  // two transactions.
  if (!core.transactions || records.empty())
    return;
  if (auto gate = delivery_producer(core); gate && gate->transactional())
    (void)seal_locked(part, gate);
}

void drop_aborted_locked(app_core& core, table_partition& part) {
  if (!core.transactions || !part.active)
    return;
  auto aborts = core.stats.transactions_aborted.load();
  if (aborts == part.seen_aborts)
    return;
  part.seen_aborts = aborts;
  if (auto n = part.active->drop_discarded())
    faust::log().info("table partition {}: dropped the writes of {} events "
                      "of aborted transactions (they are processed again)",
                      part.number, n);
}

void seal_and_persist(app_core& core, table_partition& part) {
  std::lock_guard lock(part.mutex);
  if (!part.active)
    return;
  (void)seal_locked(part, delivery_producer(core));
  persist_locked(core, part, nullptr);
}

size_t expire_windows(app_core& core) {
  size_t n = 0;
  for (auto& table : core.tables) {
    // Closed windows with their last values, for `on_window_close` (called
    // without the partition's lock: it may read tables).
    std::vector<std::pair<std::string, std::string>> closed;
    for (auto& part : table->parts) {
      std::lock_guard lock(part->mutex);
      if (!part->active || !part->expiry)
        continue;
      auto keys = part->expiry->take_expired();
      n += keys.size();
      if (table->on_window_close)
        for (auto& key : keys)
          if (auto value = part->active->get(key); value && value->has_value())
            closed.emplace_back(key, std::move(**value));
      part->active->expire(keys);
    }
    for (auto& [key, value] : closed)
      run_user_hook(
          "table '" + table->name + "': on_window_close for " + key,
          [&] { table->on_window_close(key, value); }, core.stats.hook_errors);
  }
  return n;
}

void persist_all(app_core& core) {
  for (auto& table : core.tables)
    for (auto& part : table->parts) {
      std::lock_guard lock(part->mutex);
      if (!part->active)
        continue;
      if (part->active->pending_batches() > 0 && part->delivery)
        (void)seal_locked(*part, part->delivery);
      persist_locked(core, *part, table.get());
    }
}

} // namespace faust::internal
