#include "actors/internal/partition_writer.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/runtime_handles.hpp"
#include "actors/internal/source_scope.hpp"
#include "actors/internal/user_hook.hpp"
#include "actors/protocol/changelog_push.hpp"
#include "faust/detail/table_desc.hpp"
#include "storage/windowed_key.hpp"
#include "supervision/logger.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/producer.hpp"
#include "transport/kafka/transaction_manager.hpp"
#include "transport/kafka/watermarks.hpp"
#include "transport/memory_broker.hpp"

#include <caf/send.hpp>

#include <algorithm>
#include <chrono>
#include <limits>

namespace faust::internal {

namespace {

using std::chrono::milliseconds;

/// The producer whose epochs say when the current event's changelog records
/// are delivered; null: they go to the in-process log (delivered at once).
std::shared_ptr<transport::kafka::producer> delivery_producer(app_core& core) {
  if (auto& txn = current_transaction())
    return txn;
  return core.producer;
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

/// Seals what `w` has finished, with an epoch of `gate` (or, for a
/// transactional producer, its open transaction); false if it cannot now
/// (an event in progress, too many epochs in flight): try again later.
bool seal(partition_writer& w,
          std::shared_ptr<transport::kafka::producer> gate) {
  auto& active = *w.active;
  if (active.event_in_progress())
    return false;
  if (gate && gate->transactional()) {
    // Each batch knows its own transaction.
    w.delivery = gate;
    active.seal(transaction_fate(gate, gate->transaction()));
    return true;
  }
  // A batch's epoch belongs to one producer: a change of producer (which
  // only the switch between a memory log and Kafka could bring) waits for
  // the earlier batches.
  if (w.delivery && gate != w.delivery && active.pending_batches() > 0)
    return false;
  w.delivery = gate;
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

/// After every batch is in the store: the changelog offset before which
/// everything is reflected, so a restart replays nothing.
void checkpoint(app_core& core, partition_writer& w) {
  auto& active = *w.active;
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
        core.stop.bound(std::min(core.settings().broker_request_timeout,
                                 milliseconds{2000})));
    if (!queried)
      return;
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
                      partition_name(*w.table, w.part->number),
                      ok.error().message);
}

/// Brings the app's count of undelivered table batches up to date with `w`.
void count_batches(app_core& core, partition_writer& w, size_t now) {
  if (now == w.counted_batches)
    return;
  auto delta =
      static_cast<int64_t>(now) - static_cast<int64_t>(w.counted_batches);
  w.counted_batches = now;
  if (core.stats.table_batches_pending.fetch_add(delta) + delta == 0)
    core.persisted.notify();
}

} // namespace

std::string partition_name(const table_desc& table, int32_t partition) {
  return "table '" + table.name + "' partition " + std::to_string(partition);
}

namespace {

/// Groups kept for pushing at most (per partition): past it the oldest is
/// dropped.
constexpr size_t max_unpushed_groups = 65536;

/// The records of `g` with the offsets they got, if they are one run of
/// consecutive changelog offsets (false: a record failed, or another
/// writer's record sits between them: not pushed).
bool stamp_offsets(partition_writer::unpushed_group& g) {
  auto& receipt = *g.receipt;
  if (receipt.failed() || receipt.sent() != g.records.size())
    return false;
  for (size_t i = 0; i < g.records.size(); ++i) {
    g.records[i].offset = receipt.offset(i);
    if (i > 0 && g.records[i].offset != g.records[i - 1].offset + 1)
      return false;
  }
  return true;
}

/// Pushes the delivered groups to the partition's standbys, through the
/// cluster router (which knows where they are), oldest first; consecutive
/// groups that chain go in one message.
void push_delivered(app_core& core, partition_writer& w) {
  if (w.unpushed.empty())
    return;
  auto& tp = w.active->changelog();
  std::vector<protocol::changelog_push> out;
  while (!w.unpushed.empty()) {
    auto& g = w.unpushed.front();
    if (!g.receipt->complete())
      break;
    if (g.fate) {
      auto fate = g.fate();
      if (fate == storage::batch_fate::pending)
        break;
      if (fate == storage::batch_fate::discarded) {
        w.unpushed.pop_front(); // not on the committed changelog
        continue;
      }
    }
    if (!stamp_offsets(g)) {
      // The standbys read this stretch from the topic.
      w.pushed_through.reset();
      w.unpushed.pop_front();
      continue;
    }
    auto first = g.records.front().offset;
    auto last = g.records.back().offset;
    // Without transactions the group must follow the last pushed record
    // directly; under exactly_once markers sit between transactions.
    // (-1: not known.) Records of another producer may sit between two
    // producers' groups.
    int64_t after = w.pushed_through.value_or(-1);
    if (after >= 0 &&
        ((!core.transactions && first != after + 1) || g.via != w.pushed_via))
      after = -1;
    if (out.empty() || after < 0 || out.back().last != after) {
      out.emplace_back();
      out.back().topic = tp.topic;
      out.back().partition = tp.partition;
      out.back().after = after;
      out.back().first = first;
    }
    for (auto& r : g.records)
      out.back().add(r);
    out.back().last = last;
    w.pushed_through = last;
    w.pushed_via = g.via;
    w.unpushed.pop_front();
  }
  if (out.empty() || !core.runtime || !core.runtime->router)
    return;
  for (auto& push : out)
    caf::anon_send(core.runtime->router, std::move(push));
}

} // namespace

void persist(app_core& core, partition_writer& w) {
  auto gate = w.delivery;
  auto written = w.active->persist(
      [&](uint64_t epoch) { return !gate || gate->delivered_through(epoch); });
  if (!written)
    core.fail(partition_name(*w.table, w.part->number) +
              ": cannot write its store: " + written.error().message);
  count_batches(core, w, w.active->pending_batches());
  w.stored_below.store(w.active->stored_below(), std::memory_order_release);
  push_delivered(core, w);
}

namespace {

/// Produces a group of changelog records; under exactly_once the group's
/// store writes wait for its transaction's commit (and are dropped if it
/// aborts), so the group is one batch: a batch never spans two
/// transactions.
void produce_changelog(app_core& core, partition_writer& w,
                       std::vector<models::message> records) {
  auto failed = [&](const error& e) {
    auto& tp = w.active->changelog();
    core.fail("cannot produce to the changelog " + tp.topic + "[" +
              std::to_string(tp.partition) + "]: " + e.message);
  };
  if (records.empty())
    return;
  auto via = delivery_producer(core);
  if (!via || !core.standbys_take_pushes.load(std::memory_order_relaxed)) {
    w.unpushed.clear();
    w.pushed_through.reset();
    for (auto& r : records)
      if (auto sent = core.produce(std::move(r)); !sent)
        failed(sent.error());
  } else {
    // Kept for the standbys, with a receipt for the offsets they get;
    // stamped with the time they are sent, which a standby's staleness
    // is measured from.
    auto receipt = transport::kafka::delivery_receipt::make(records.size());
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    for (size_t i = 0; i < records.size(); ++i) {
      auto& r = records[i];
      if (r.timestamp_ms == 0)
        r.timestamp_ms = now;
      if (auto sent = via->send(r, *receipt, i); sent)
        core.stats.messages_sent.fetch_add(1, std::memory_order_relaxed);
      else
        failed(sent.error());
    }
    std::function<storage::batch_fate()> fate;
    if (via->transactional())
      fate = transaction_fate(via, via->transaction());
    if (w.unpushed.size() >= max_unpushed_groups) {
      // A delivery that does not come (a producer no longer polled) must
      // not hold every later push and its records: the standbys read
      // this stretch from the topic.
      w.unpushed.pop_front();
      w.pushed_through.reset();
    }
    w.unpushed.push_back(
        {std::move(records), std::move(receipt), std::move(fate), via.get()});
  }
  if (!core.transactions)
    return;
  if (auto gate = delivery_producer(core); gate && gate->transactional())
    (void)seal(w, gate);
}

} // namespace

bool changelog_may_grow(const app_core& core) {
  return core.transactions || core.holds_lease();
}

void finish_event(app_core& core, partition_writer& w) {
  bool was_dirty = w.active->cache_dirty();
  if (w.active->cache_limit() == 0 && w.active->event_in_progress() &&
      (w.held_for_lease || !changelog_may_grow(core))) {
    // No cache configured: this event's writes wait in one until the
    // lease holds again (and, once it does, until the writes already
    // waiting there go out: never past them).
    w.active->set_cache_limit(std::numeric_limits<size_t>::max());
    w.held_for_lease = true;
  }
  produce_changelog(core, w, w.active->finish_event());
  if (!was_dirty && w.active->cache_dirty())
    w.cached_since = std::chrono::steady_clock::now();
}

void flush_cache(app_core& core, partition_writer& w) {
  if (!w.active->cache_dirty())
    return;
  if (!changelog_may_grow(core)) {
    w.held_for_lease = true;
    return;
  }
  w.held_for_lease = false;
  produce_changelog(core, w, w.active->flush_cache());
}

bool flush_held_for_lease(app_core& core, partition_writer& w) {
  if (!w.held_for_lease || !changelog_may_grow(core))
    return false;
  // Cleared first: an event that wrote nothing new (already applied) may
  // have left the cache empty.
  w.held_for_lease = false;
  w.active->set_cache_limit(cache_share(core));
  if (w.active->cache_dirty()) {
    faust::log().info("{}: the lease holds again: {} bytes of table writes "
                      "that waited for it go to the changelog",
                      partition_name(*w.table, w.part->number),
                      w.active->cached_bytes());
    flush_cache(core, w);
  }
  return true;
}

size_t cache_share(const app_core& core) {
  auto total = core.settings().table_cache_max_bytes;
  if (total == 0)
    return 0;
  size_t owned = 0;
  for (auto& t : core.tables)
    for (auto& part : t->parts)
      owned += part->owned_here() ? 1 : 0;
  return std::max<size_t>(1, total / std::max<size_t>(1, owned));
}

void drop_aborted(app_core& core, partition_writer& w) {
  if (!core.transactions)
    return;
  auto aborts = core.stats.transactions_aborted.load();
  if (aborts == w.seen_aborts)
    return;
  w.seen_aborts = aborts;
  auto n = w.active->drop_discarded();
  count_batches(core, w, w.active->pending_batches());
  if (n)
    faust::log().info("{}: dropped the writes of {} events of aborted "
                      "transactions (they are processed again)",
                      partition_name(*w.table, w.part->number), n);
}

void seal_and_persist(app_core& core, partition_writer& w) {
  // Inside a piece of work the source partition picks the producer; on a
  // timer, the one the last records went through.
  auto gate =
      current_source() || !w.delivery ? delivery_producer(core) : w.delivery;
  (void)seal(w, std::move(gate));
  persist(core, w);
}

void forget_batches(app_core& core, partition_writer& w) {
  count_batches(core, w, 0);
}

size_t expire_windows(app_core& core, partition_writer& w) {
  if (!w.expiry)
    return 0;
  auto keys = w.expiry->take_expired();
  if (keys.empty())
    return 0;
  auto& table = *w.table;
  if (table.on_window_close)
    for (auto& key : keys)
      if (auto value = w.active->get(key); value && value->has_value())
        run_user_hook(
            "table '" + table.name + "': on_window_close for " + key,
            [&] { table.on_window_close(key, **value); },
            core.stats.hook_errors);
  w.active->expire(keys);
  return keys.size();
}

void hand_over(app_core& core, partition_writer& w, bool lost) {
  auto& active = *w.active;
  active.abandon_event();
  if (active.cache_dirty() && (lost || !changelog_may_grow(core))) {
    // Another worker may own the partition now: it processes these events
    // again (their offsets were not committed: their acks wait for the
    // cache).
    faust::log().warn("{}: {} bytes of cached table writes dropped: the "
                      "partition was {}",
                      partition_name(*w.table, w.part->number),
                      active.cached_bytes(),
                      lost ? "lost" : "given up without the group lease");
    active.drop_cache();
    w.held_for_lease = false;
  }
  flush_cache(core, w);
  bool wait_for_delivery = !lost;
  auto gate = w.delivery ? w.delivery : core.producer;
  // Seal what the finished events wrote (after a flush the producer has
  // room for a new epoch), then wait for every changelog record.
  bool sealed = seal(w, gate);
  if (gate && wait_for_delivery) {
    if (auto flushed =
            gate->flush(core.stop.bound(core.settings().shutdown_timeout),
                        core.stop.interrupter());
        !flushed)
      faust::log().warn("{}: changelog not fully delivered on release: {}",
                        partition_name(*w.table, w.part->number),
                        flushed.error().message);
    if (!sealed && seal(w, gate))
      (void)gate->flush(core.stop.bound(core.settings().shutdown_timeout),
                        core.stop.interrupter());
  }
  persist(core, w);
  if (wait_for_delivery)
    checkpoint(core, w);
}

void track_windows(partition_writer& w) {
  auto& table = *w.table;
  if (!table.window || !table.window->expires()) {
    w.expiry.reset();
    return;
  }
  w.expiry = std::make_unique<storage::window_expiry>(*table.window);
  w.active->for_each([&](std::string_view key, std::string_view) {
    if (auto parts = storage::split_windowed_key(key))
      w.expiry->track(std::string(key), parts->range.end);
    return true;
  });
}

} // namespace faust::internal
