#include "actors/internal/ack_routing.hpp"
#include "actors/internal/heap_trimmer.hpp"
#include "actors/internal/rebalance_coordinator.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "actors/internal/user_hook.hpp"
#include "actors/internal/waiting_requests.hpp"
#include "supervision/errors.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"
#include "transport/kafka/broker_liveness.hpp"
#include "transport/kafka/consumer.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/producer.hpp"
#include "transport/kafka/transaction_manager.hpp"
#include "transport/memory_broker.hpp"
#include "transport/offset_tracker.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <ctime>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>

namespace faust::internal {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using transport::kafka::offset_to_commit;
using transport::kafka::rebalance_kind;

/// One assignment of one partition: a new id every time it is assigned, so
/// acks for records of an earlier assignment are recognised and ignored.
struct partition_state {
  partition_state() = default;
  partition_state(partition_state&&) = default;
  partition_state& operator=(partition_state&&) = default;
  // Move-only (the backlog owns librdkafka's records), also for vector.
  partition_state(const partition_state&) = delete;
  partition_state& operator=(const partition_state&) = delete;

  /// Its index in the consumer's partitions (what acks name).
  uint32_t id = 0;
  models::topic_partition tp;
  std::vector<subscriber_api>* subscribers = nullptr;
  bool commit = true;
  bool active = true;
  bool paused = false;
  /// exactly_once: paused until every delivered record is acked, so the
  /// transaction holds the outputs of exactly the committed records.
  bool barrier = false;
  /// Held back until the rebalance coordinator answers its assignment
  /// (the table partitions co-partitioned with it are recovered).
  bool held = false;
  /// Being revoked: nothing more is handed on, while the events in flight
  /// finish and their acks still count for the revoke's commit.
  bool revoking = false;
  /// The tracker starts at the first record delivered.
  bool tracking = false;
  transport::offset_tracker tracker;
  /// One past the last record delivered.
  int64_t position = -1;
  /// Fetched records held back while the agents have `stream_buffer_maxsize`
  /// in flight: librdkafka's pause drops what it has prefetched (to fetch it
  /// again on resume), so pausing waits until this is full too. They stay
  /// librdkafka's records until they are handed on (a message per record
  /// would double what a long backlog holds).
  std::deque<transport::kafka::fetched_run> backlog;
  size_t backlog_records = 0;
  /// Last offset the group confirmed.
  int64_t committed = -1;
  /// The high watermark asked of the broker when an idle wait began: the
  /// cached one may predate records produced just before.
  int64_t known_high = -1;
  /// What the monitor shows of it (written here, read by scrapes).
  std::shared_ptr<partition_figures> figures;
};

struct kafka_consumer_state {
  std::shared_ptr<app_core> core;
  /// Returns a burst's freed memory once the records stop.
  heap_trimmer trimmer;
  std::unique_ptr<transport::kafka::consumer> client;
  std::map<std::string, std::vector<subscriber_api>> subscribers;
  std::vector<partition_state> partitions;
  std::unordered_map<models::topic_partition, uint32_t> active;
  std::shared_ptr<std::atomic<bool>> wake_pending =
      std::make_shared<std::atomic<bool>>(false);
  bool started = false;
  bool draining = false;
  bool ever_assigned = false;
  /// Set when records the app produced were lost: never commit again, so a
  /// restart processes their sources again.
  bool poisoned = false;
  /// exactly_once: per-partition transactional producers.
  std::shared_ptr<transport::kafka::transaction_manager> transactions;
  uint64_t producer_failures_seen = 0;
  /// A periodic commit waiting for the producer to deliver what was sent
  /// before it (see `commit`).
  struct delivery_wait {
    std::vector<std::pair<uint32_t, int64_t>> offsets; // partition id
    uint64_t epoch = 0;
  };
  std::optional<delivery_wait> commit_waiting;
  uint64_t acks_since_commit = 0;
  steady_clock::time_point last_commit = steady_clock::now();
  waiting_requests drain_waiters;
  waiting_requests idle_waiters;
  /// Whether any broker still answers (from librdkafka's statistics).
  std::optional<transport::kafka::broker_liveness> liveness;
  /// When the commit the group has not answered yet was sent.
  std::optional<steady_clock::time_point> commit_sent_at;
  /// When the assignment being readied came.
  steady_clock::time_point assigned_at;
  static inline const char* name = "faust.kafka_consumer";
};

using consumer_actor = consumer_api::stateful_pointer<kafka_consumer_state>;

/// Records taken from librdkafka per poll. A fetched run is handed on
/// whole, so this also bounds how far a partition's in-flight records go
/// past `stream_buffer_maxsize`: 8192 held ~10% more memory at the peak of
/// page_views_e2e (163 vs 147 MiB) and was no faster.
constexpr size_t poll_budget = 2048;

size_t max_in_flight(const kafka_consumer_state& st) {
  return std::max<size_t>(1, st.core->settings().stream_buffer_maxsize);
}

/// Records fetched but held back, per partition, before it is paused.
size_t max_backlog(const kafka_consumer_state& st) {
  return 4 * max_in_flight(st);
}

/// Hands a partition's held-back records to its subscribers, a batch of
/// whole fetched runs at a time, while fewer than `stream_buffer_maxsize`
/// records are in flight; a run goes whole, so up to one fetched run more
/// may be in flight (splitting at the limit measured 5x slower: it makes
/// librdkafka pause, drop and refetch the partition all the time). Nothing
/// moves during an exactly_once barrier or a drain.
void dispatch_backlog(consumer_actor self, partition_state& p) {
  auto& st = self->state;
  auto limit = max_in_flight(st);
  auto pending = [&] { return p.tracking ? p.tracker.pending() : 0; };
  while (!p.backlog.empty() && p.active && !p.barrier && !p.held &&
         !p.revoking && !st.draining && pending() < limit) {
    auto batch = std::make_shared<record_batch>();
    batch->tp_id = p.id;
    batch->tp = p.tp;
    size_t taken = 0;
    do {
      auto made = st.client->messages(std::move(p.backlog.front()));
      p.backlog.pop_front();
      taken += made.records.size();
      if (batch->records.empty())
        batch->records = std::move(made.records);
      else
        batch->records.insert(batch->records.end(), made.records.begin(),
                              made.records.end());
      batch->owners.push_back(std::move(made.owner));
    } while (!p.backlog.empty() && pending() + taken < limit);
    p.backlog_records -= taken;
    if (!p.tracking) {
      p.tracker = transport::offset_tracker{batch->records.front()->offset};
      p.tracking = true;
    }
    auto refs = static_cast<uint32_t>(p.subscribers->size());
    for (auto& m : batch->records)
      p.tracker.delivered(m->offset, refs);
    p.position = batch->records.back()->offset + 1;
    p.figures->handed_on(taken, p.position - 1);
    st.core->stats.messages_received.fetch_add(taken,
                                               std::memory_order_relaxed);
    batch_ptr shared = std::move(batch);
    for (auto& sub : *p.subscribers)
      self->send(sub, batch_atom::value, shared);
  }
}

void clear_backlog(partition_state& p) {
  p.backlog.clear();
  p.backlog_records = 0;
}

/// After the producer reported on everything it was sent: false (and the
/// worker is failed) if any record could not be delivered.
bool no_lost_outputs(consumer_actor self) {
  auto& st = self->state;
  if (auto failures = st.core->producer->failures();
      failures > st.producer_failures_seen) {
    st.producer_failures_seen = failures;
    st.poisoned = true;
    st.core->fail("records produced by this worker could not be delivered "
                  "(see the errors above); offsets are no longer committed, "
                  "so a restart processes their source records again");
  }
  return !st.poisoned;
}

/// Makes sure records the app produced for acked events are delivered
/// before their source offsets are committed, waiting up to `timeout`.
/// False: do not commit now.
bool outputs_delivered(consumer_actor self, milliseconds timeout) {
  auto& st = self->state;
  auto& producer = st.core->producer;
  if (!producer)
    return true;
  if (producer->in_flight() > 0)
    if (auto flushed = producer->flush(timeout, st.core->stop.interrupter());
        !flushed) {
      faust::log().warn("not committing offsets yet: {}",
                        flushed.error().message);
      return false;
    }
  return no_lost_outputs(self);
}

/// A commit request goes to the group now (its latency is measured to its
/// answer).
void commit_sent(kafka_consumer_state& st) {
  st.commit_sent_at = steady_clock::now();
}

/// The group answered the commit sent last.
void commit_answered(kafka_consumer_state& st) {
  if (!st.commit_sent_at)
    return;
  auto ms = std::chrono::duration<double, std::milli>(steady_clock::now() -
                                                      *st.commit_sent_at)
                .count();
  st.commit_sent_at.reset();
  st.core->board->commit_latency.observe(ms);
  st.core->board->recent_commits.push(ms);
}

/// The partition's offset committed for the group is now `offset`.
void committed_now(partition_state& p, int64_t offset) {
  p.committed = std::max(p.committed, offset);
  if (p.figures)
    p.figures->committed_offset.store(p.committed, std::memory_order_relaxed);
}

/// Acked past its last commit: its watermark is due.
bool has_uncommitted(const partition_state& p) {
  return p.active && p.commit && p.tracking &&
         p.tracker.watermark() > p.committed;
}

std::vector<offset_to_commit> committable(kafka_consumer_state& st,
                                          const std::vector<uint32_t>* only) {
  std::vector<offset_to_commit> out;
  auto consider = [&](partition_state& p) {
    if (has_uncommitted(p))
      out.push_back({p.tp, p.tracker.watermark()});
  };
  if (only)
    for (auto id : *only)
      consider(st.partitions[id]);
  else
    for (auto& p : st.partitions)
      consider(p);
  return out;
}

/// The group's view of this member now (for the rebalance coordinator).
group_member member_now(const kafka_consumer_state& st) {
  auto m = st.client->membership();
  return {std::move(m.member_id), m.generation};
}

/// The coordinator answers a revoke step within its bound; this one is a
/// last guard against a coordinator that is gone.
milliseconds coordinator_bound(const app_core& core) {
  return core.stop.bound(std::min(core.settings().shutdown_timeout,
                                  core.settings().broker_session_timeout / 2) +
                         std::chrono::seconds{1});
}

void deactivate(consumer_actor self, const std::vector<uint32_t>& ids);

/// exactly_once: commits partition `id`'s transaction with its offset.
/// An abort rewinds the partition to its last committed offset (its
/// outputs were discarded); a fenced producer gives the partition up.
void commit_transaction(consumer_actor self, uint32_t id) {
  auto& st = self->state;
  auto& p = st.partitions[id];
  p.barrier = false;
  std::optional<int64_t> offset;
  if (p.tracking && p.tracker.watermark() > p.committed)
    offset = p.tracker.watermark();
  using transport::kafka::transaction_outcome;
  switch (st.transactions->commit(p.tp, offset, st.client->group_metadata())) {
  case transaction_outcome::committed:
    st.core->stats.transactions_committed.fetch_add(1);
    if (offset) {
      committed_now(p, *offset);
      st.core->stats.commits.fetch_add(1, std::memory_order_relaxed);
      if (st.core->on_commit)
        st.core->on_commit(p.tp, *offset);
    }
    break;
  case transaction_outcome::aborted:
    st.core->stats.transactions_aborted.fetch_add(1);
    p.tracking = false;
    p.position = -1;
    clear_backlog(p); // fetched again from the committed offset
    if (auto sought = st.client->seek(p.tp, p.committed); !sought)
      st.core->fail(sought.error().message);
    break;
  case transaction_outcome::fenced:
    // Another worker owns it now: given up here as lost (no commit).
    faust::log().warn("{}[{}]: fenced by a newer producer; given up",
                      p.tp.topic, p.tp.partition);
    deactivate(self, {id});
    self->request(st.core->runtime->rebalance, coordinator_bound(*st.core),
                  revoked_atom::value, member_now(st), assignment{{p.tp}}, true)
        .then([](bool) {}, [](caf::error&) {});
    return;
  }
  dispatch_backlog(self, p);
  if (p.paused && !st.draining && p.backlog_records <= max_backlog(st) / 2) {
    p.paused = false;
    st.client->resume({p.tp});
  }
}

/// exactly_once: commits every partition with processed records, each once
/// all its delivered records are acked (until then it is paused).
void commit_transactions(consumer_actor self,
                         const std::vector<uint32_t>* only) {
  auto& st = self->state;
  auto consider = [&](uint32_t id) {
    auto& p = st.partitions[id];
    if (!p.active || !p.tracking)
      return;
    if (p.tracker.pending() == 0) {
      if (p.tracker.watermark() > p.committed)
        commit_transaction(self, id);
      return;
    }
    p.barrier = true;
    if (!p.paused) {
      p.paused = true;
      st.client->pause({p.tp});
    }
  };
  if (only)
    for (auto id : *only)
      consider(id);
  else
    for (uint32_t id = 0; id < st.partitions.size(); ++id)
      consider(id);
}

/// Commits a waiting periodic commit once the producer has reported on
/// every record sent before it; partitions revoked meanwhile are left out.
void finish_waiting_commit(consumer_actor self) {
  auto& st = self->state;
  if (!st.commit_waiting || !st.client ||
      !st.core->producer->delivered_through(st.commit_waiting->epoch))
    return;
  auto waiting = std::move(*st.commit_waiting);
  st.commit_waiting.reset();
  if (!no_lost_outputs(self))
    return;
  std::vector<offset_to_commit> offsets;
  for (auto& [id, offset] : waiting.offsets)
    if (st.partitions[id].active)
      offsets.push_back({st.partitions[id].tp, offset});
  if (offsets.empty())
    return;
  commit_sent(st);
  if (auto done = st.client->commit(offsets); !done)
    faust::log().warn("{}", done.error().message);
}

/// Commits acked offsets. `wait` (revoke, shutdown, idle): flushes the
/// producer, then commits synchronously. Otherwise (periodic) nothing
/// blocks: the offsets wait, while processing goes on, until the producer
/// has delivered every record sent before now (a delivery epoch).
void commit(consumer_actor self, bool wait,
            const std::vector<uint32_t>* only = nullptr) {
  auto& st = self->state;
  st.acks_since_commit = 0;
  st.last_commit = steady_clock::now();
  if (!st.client || st.poisoned)
    return;
  if (st.transactions) {
    commit_transactions(self, only);
    return;
  }
  if (!wait && st.core->producer) {
    if (st.commit_waiting) {
      finish_waiting_commit(self);
      return; // one at a time; the next interval takes the rest
    }
    st.commit_waiting.emplace();
    // By partition id, not topic/partition: a partition revoked and
    // assigned again meanwhile must not get this older offset.
    for (uint32_t id = 0; id < st.partitions.size(); ++id)
      if (has_uncommitted(st.partitions[id]))
        st.commit_waiting->offsets.emplace_back(
            id, st.partitions[id].tracker.watermark());
    auto epoch = st.core->producer->seal_epoch();
    if (st.commit_waiting->offsets.empty() || !epoch) {
      st.commit_waiting.reset();
      return;
    }
    st.commit_waiting->epoch = *epoch;
    finish_waiting_commit(self);
    return;
  }
  st.commit_waiting.reset(); // superseded by this one
  auto offsets = committable(st, only);
  if (offsets.empty())
    return;
  auto& stop = st.core->stop;
  if (!outputs_delivered(self,
                         stop.bound(wait ? st.core->settings().shutdown_timeout
                                         : milliseconds{10000}))) {
    if (stop.stopping())
      stop.step_failed("the last offsets were not committed: records "
                       "produced for them were not delivered");
    return;
  }
  commit_sent(st);
  if (!wait) {
    if (auto done = st.client->commit(offsets); !done)
      faust::log().warn("{}", done.error().message);
    return;
  }
  auto done = st.client->commit_and_wait(
      offsets, stop.bound(st.core->settings().broker_request_timeout * 2));
  if (done)
    commit_answered(st);
  if (!done) {
    faust::log().warn("{}", done.error().message);
    if (stop.stopping())
      stop.step_failed("the last offsets were not committed: " +
                       done.error().message);
  }
}

size_t in_flight(const kafka_consumer_state& st) {
  size_t n = 0;
  for (auto& p : st.partitions)
    if (p.active)
      n += p.tracker.pending();
  return n;
}

/// The partitions' records are held back until the coordinator answers
/// the assignment: its subscribers heard of them, and the table partitions
/// co-partitioned with them are recovered from their changelogs.
void hold_until_ready(consumer_actor self,
                      const std::vector<models::topic_partition>& given) {
  auto& st = self->state;
  std::vector<uint32_t> held;
  for (auto& tp : given)
    if (auto it = st.active.find(tp); it != st.active.end()) {
      st.partitions[it->second].held = true;
      held.push_back(it->second);
    }
  self->request(st.core->runtime->rebalance, caf::infinite,
                assigned_atom::value, member_now(st), assignment{given})
      .then(
          [self, held](bool ready) {
            auto& st = self->state;
            auto ms = std::chrono::duration<double, std::milli>(
                          steady_clock::now() - st.assigned_at)
                          .count();
            st.core->board->assignment_latency.observe(ms);
            st.core->board->recent_assignments.push(ms);
            (ready ? st.core->stats.assignments_completed
                   : st.core->stats.assignments_failed)
                .fetch_add(1, std::memory_order_relaxed);
            st.core->stats.rebalancing = false;
            // Not ready: the tables could not recover them, and the worker
            // is failed; nothing is processed unrecovered.
            if (!ready)
              return;
            for (auto id : held) {
              auto& p = self->state.partitions[id];
              p.held = false;
              dispatch_backlog(self, p);
            }
          },
          [self](caf::error& err) {
            if (!self->state.core->stop.stopping())
              self->state.core->fail("the rebalance coordinator is gone: " +
                                     supervision::describe(err));
          });
}

/// The revoke's last step: what was acked is committed (an orderly revoke
/// only), the partitions are deactivated here, and the coordinator hands
/// them over (subscribers, announcement, tables); the group goes on once
/// it answers. Returns as `on_rebalance` does.
bool hand_over(consumer_actor self,
               const std::vector<models::topic_partition>& given,
               const std::vector<uint32_t>& ids, bool commit_acked, bool lost) {
  auto& st = self->state;
  if (commit_acked)
    commit(self, true, &ids);
  deactivate(self, ids);
  self->request(st.core->runtime->rebalance, coordinator_bound(*st.core),
                revoked_atom::value, member_now(st), assignment{given}, lost)
      .then([self](bool) { self->state.client->finish_revoke(); },
            [self](caf::error& err) {
              faust::log().warn("revoke: the rebalance coordinator did not "
                                "answer ({}): the group goes on",
                                supervision::describe(err));
              self->state.client->finish_revoke();
            });
  return true;
}

/// Returns as `on_rebalance` does: true if the revoke finishes later.
bool drain_then_revoke(consumer_actor self,
                       const std::vector<models::topic_partition>& given,
                       const std::vector<uint32_t>& ids) {
  auto& st = self->state;
  for (auto id : ids) {
    auto& p = st.partitions[id];
    p.revoking = true;
    clear_backlog(p);
  }
  self->request(st.core->runtime->rebalance, coordinator_bound(*st.core),
                drain_atom::value, member_now(st), assignment{given})
      .then([self, given,
             ids](bool) { hand_over(self, given, ids, true, false); },
            [self, given, ids](caf::error& err) {
              faust::log().warn("revoke: the rebalance coordinator did not "
                                "answer the drain ({})",
                                supervision::describe(err));
              hand_over(self, given, ids, true, false);
            });
  return true;
}

bool on_rebalance(consumer_actor self, rebalance_kind kind,
                  const std::vector<models::topic_partition>& given) {
  auto& st = self->state;
  // The leader topic's partition only says who leads (the coordinator
  // keeps that): it has no records, transactions or state here.
  st.core->stats.rebalancing = true;
  std::vector<models::topic_partition> tps;
  tps.reserve(given.size());
  for (auto& tp : given)
    if (tp.topic != st.core->leader_topic)
      tps.push_back(tp);
  if (kind == rebalance_kind::assigned) {
    st.ever_assigned = true;
    st.assigned_at = steady_clock::now();
    st.core->stats.rebalances.fetch_add(1, std::memory_order_relaxed);
    for (auto& tp : tps) {
      auto subs = st.subscribers.find(tp.topic);
      if (subs == st.subscribers.end())
        continue;
      partition_state p;
      p.tp = tp;
      p.subscribers = &subs->second;
      p.commit = st.core->acks_enabled_for(tp.topic);
      p.id = static_cast<uint32_t>(st.partitions.size());
      p.figures = st.core->board->assign(tp);
      st.active[tp] = p.id;
      st.partitions.push_back(std::move(p));
    }
    // Where each partition resumes, for `idle` before any record arrives.
    for (auto& [tp, offset] : st.client->committed(
             tps,
             st.core->stop.bound(st.core->settings().broker_request_timeout)))
      if (auto it = st.active.find(tp); it != st.active.end()) {
        auto& p = st.partitions[it->second];
        p.committed = offset;
        p.figures->committed_offset.store(offset, std::memory_order_relaxed);
      }
    if (st.transactions)
      for (auto& tp : tps)
        if (auto opened = st.transactions->open(tp); !opened)
          st.core->fail("exactly_once: cannot open the transaction of " +
                        tp.topic + "[" + std::to_string(tp.partition) +
                        "]: " + opened.error().message);
    faust::log().info("partitions assigned: {}", tps.size());
    hold_until_ready(self, given);
    // The coordinator has given this worker its partitions: a suspended
    // lease holds again, for them (the gateway hears of them next).
    st.core->lease_hold_until_ns = 0;
    return false;
  }
  std::vector<uint32_t> ids;
  for (auto& tp : tps)
    if (auto it = st.active.find(tp); it != st.active.end())
      ids.push_back(it->second);
  // An orderly revoke lets the events in flight finish and commits what
  // was acked (under exactly_once the open transactions are aborted
  // instead: the new owner redoes their records); lost partitions may
  // already belong to another worker, which must not see our commit.
  if (kind == rebalance_kind::revoked && !st.transactions) {
    // An orderly revoke comes while this worker is still a member of the
    // group's generation (one that lost its membership hears `lost`): a
    // suspended lease holds again, so the events in flight can finish and
    // their writes go out before the partitions go.
    st.core->lease_hold_until_ns = 0;
    return drain_then_revoke(self, given, ids);
  }
  return hand_over(self, given, ids, false, kind == rebalance_kind::lost);
}

/// The partitions' records are no longer fetched, held or committed here
/// (the coordinator tells the subscribers).
void deactivate(consumer_actor self, const std::vector<uint32_t>& ids) {
  auto& st = self->state;
  for (auto id : ids) {
    auto& p = st.partitions[id];
    if (!p.active)
      continue;
    p.active = false;
    clear_backlog(p);
    st.active.erase(p.tp);
    st.core->board->revoke(p.tp);
    if (st.transactions)
      st.transactions->close(p.tp);
  }
}

bool idle(consumer_actor self) {
  auto& st = self->state;
  if (!st.started || !st.ever_assigned || !st.client)
    return false;
  for (auto& p : st.partitions) {
    if (!p.active)
      continue;
    if (p.tracker.pending() > 0 || p.held)
      return false;
    // exactly_once: what processed records produced (forwards, changelog,
    // sinks) is visible only once their transaction commits.
    if (st.transactions && p.tracking && p.tracker.watermark() > p.committed)
      return false;
    auto high = st.client->high_watermark(p.tp);
    if (!high)
      return false;
    high = std::max(*high, p.known_high);
    auto position = p.position >= 0 ? p.position : p.committed;
    if (*high > 0 && position < *high)
      return false;
  }
  return true;
}

/// `idle`, checked against the broker: what the app produced is delivered
/// (records forwarded to a repartition topic it reads), and the high
/// watermarks asked of the broker now are reached (the cached ones may
/// predate those records).
bool idle_confirmed(consumer_actor self) {
  auto& st = self->state;
  if (!idle(self))
    return false;
  if (st.core->producer && st.core->producer->in_flight() > 0)
    return false;
  for (auto& p : st.partitions)
    if (p.active)
      if (auto high = st.client->query_high_watermark(
              p.tp,
              st.core->stop.bound(st.core->settings().broker_request_timeout)))
        p.known_high = std::max(p.known_high, *high);
  return idle(self);
}

void maybe_finish_idle(consumer_actor self) {
  auto& st = self->state;
  if (st.idle_waiters.empty() || !idle_confirmed(self))
    return;
  commit(self, true);
  st.idle_waiters.release();
}

void maybe_finish_drain(consumer_actor self) {
  auto& st = self->state;
  if (!st.draining || st.drain_waiters.empty() || in_flight(st) > 0)
    return;
  commit(self, true);
  st.drain_waiters.release();
}

/// Takes what librdkafka has fetched and hands it out in batches per
/// partition, holding back what does not fit in `stream_buffer_maxsize`;
/// pauses partitions whose held-back records reach `max_backlog`.
void fetch(consumer_actor self) {
  auto& st = self->state;
  if (!st.client || st.draining)
    return;
  std::vector<uint32_t> touched;
  auto got =
      st.client->poll(poll_budget, [&](transport::kafka::fetched_run& run) {
        auto it = st.active.find({std::string(run.topic()), run.partition()});
        if (it == st.active.end())
          return; // from before a revoke
        auto& p = st.partitions[it->second];
        if (!p.active || p.revoking)
          return; // revoked while polling
        if (p.backlog.empty())
          touched.push_back(it->second);
        p.backlog_records += run.size();
        p.backlog.push_back(std::move(run));
      });
  st.trimmer.taken(got, steady_clock::now());
  auto backlog_limit = max_backlog(st);
  std::vector<models::topic_partition> to_pause;
  for (auto id : touched) {
    auto& p = st.partitions[id];
    dispatch_backlog(self, p);
    if (!p.paused && p.backlog_records >= backlog_limit) {
      p.paused = true;
      to_pause.push_back(p.tp);
      st.core->stats.partitions_paused.fetch_add(1, std::memory_order_relaxed);
    }
  }
  st.client->pause(to_pause);
  // More may be waiting: the wake-up only fires when the queue was empty.
  if (got >= poll_budget && !st.wake_pending->exchange(true))
    self->send(self, wake_atom::value);
}

/// Broker loss is a state: one error when no broker has answered for the
/// session timeout, one info line when one answers again.
void check_brokers(consumer_actor self) {
  auto& st = self->state;
  if (!st.liveness)
    return;
  using change = transport::kafka::broker_liveness::change;
  auto now = steady_clock::now();
  auto& stats = st.core->stats;
  switch (st.liveness->check(now)) {
  case change::none:
    return;
  case change::lost: {
    auto silent = now - st.liveness->last_answer();
    auto since =
        std::chrono::system_clock::now() -
        std::chrono::duration_cast<std::chrono::system_clock::duration>(silent);
    stats.broker_unreachable_since_ms =
        std::chrono::duration_cast<milliseconds>(since.time_since_epoch())
            .count();
    stats.broker_reachable = false;
    stats.broker_outages.fetch_add(1);
    auto t = std::chrono::system_clock::to_time_t(since);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    // What waits for the broker: outputs not yet delivered, and offsets
    // acked but not committed (none of it is lost; it goes once a broker
    // answers).
    size_t uncommitted = 0;
    for (auto& p : st.partitions)
      uncommitted += has_uncommitted(p);
    faust::log().error(
        "no broker reachable since {} ({} s): processing "
        "paused until one answers ({} records produced await delivery, {} "
        "partitions have acked records to commit)",
        when, std::chrono::duration_cast<std::chrono::seconds>(silent).count(),
        st.core->producer ? st.core->producer->in_flight() : 0, uncommitted);
    return;
  }
  case change::regained: {
    auto down_ms = std::chrono::duration_cast<milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count() -
                   stats.broker_unreachable_since_ms.load();
    stats.broker_reachable = true;
    faust::log().info("a broker answers again after {:.1f} s: processing "
                      "resumed",
                      static_cast<double>(down_ms) / 1000.0);
    return;
  }
  }
}

/// What the monitor shows of each partition's flow and end offset (every
/// tick; the high watermarks are the client's cached ones).
void publish_flow(kafka_consumer_state& st) {
  for (auto& p : st.partitions)
    if (p.active && p.figures) {
      if (auto high = st.client->high_watermark(p.tp))
        p.figures->end_offset.store(std::max(*high, p.known_high),
                                    std::memory_order_relaxed);
      p.figures->in_flight.store(
          p.tracking ? static_cast<int64_t>(p.tracker.pending()) : 0,
          std::memory_order_relaxed);
      p.figures->paused.store(p.paused, std::memory_order_relaxed);
    }
}

void start(consumer_actor self) {
  auto& st = self->state;
  if (st.started)
    return;
  st.started = true;
  auto& core = *st.core;
  transport::kafka::consumer_options opts;
  opts.bootstrap = core.bootstrap;
  // A client reads only its reply topic, in a group of its own: joining
  // the workers' group would rebalance them.
  opts.group_id = core.settings().client_only
                      ? core.app_id + "-client-" + core.reply_topic
                      : core.app_id;
  opts.client_id = core.app_id + "-consumer";
  opts.auto_offset_reset = core.settings().consumer_auto_offset_reset;
  opts.read_committed = core.settings().processing_guarantee == "exactly_once";
  // Made by the app before the actors start (other threads read it).
  st.transactions = core.transactions;
  // The mock cluster holds every rebalance open for the session timeout
  // (waiting for members to rejoin), even after a member left cleanly:
  // keep it short there, so a restarted worker is back in seconds.
  auto session = core.settings().broker_session_timeout;
  if (core.embedded_cluster)
    session = std::min(session, milliseconds{6000});
  opts.extra["session.timeout.ms"] = std::to_string(session.count());
  opts.extra["heartbeat.interval.ms"] = std::to_string(
      std::min(core.settings().broker_heartbeat_interval, session / 3).count());
  // librdkafka's mock cluster answers a fetch only when its wait is over,
  // even if records arrive meanwhile (Kafka answers at once): wait little.
  if (core.embedded_cluster)
    opts.extra["fetch.wait.max.ms"] = "10";
  // librdkafka 2.0.2 stops fetching for a fixed second once its queue
  // holds `queued.min.messages` (it counts the consumer queue every
  // partition forwards to): a fast agent drains 100k records long before
  // that, then idles (measured: one 0.9 s stall per 250k records). The
  // queue stays bounded by `queued.max.messages.kbytes` and our pausing.
  opts.extra["queued.min.messages"] = "1000000";
  for (auto& [k, v] : core.settings().consumer_properties)
    opts.extra[k] = v;
  opts.close_timeout = core.settings().shutdown_timeout;
  auto client = transport::kafka::consumer::create(opts);
  if (!client) {
    core.fail(client.error().message);
    return;
  }
  st.client = std::move(*client);
  st.client->on_rebalance(
      [self](rebalance_kind kind,
             const std::vector<models::topic_partition>& tps) {
        return on_rebalance(self, kind, tps);
      });
  st.client->on_commit(
      [self](const std::vector<offset_to_commit>& done, const std::string&) {
        auto& st = self->state;
        commit_answered(st);
        for (auto& o : done) {
          if (auto it = st.active.find(o.tp); it != st.active.end())
            committed_now(st.partitions[it->second], o.offset);
          st.core->stats.commits.fetch_add(1, std::memory_order_relaxed);
          if (st.core->on_commit)
            st.core->on_commit(o.tp, o.offset);
        }
      });
  st.liveness.emplace(session, steady_clock::now());
  st.client->on_statistics([self](std::string_view json) {
    auto& st = self->state;
    st.liveness->on_statistics(json, steady_clock::now());
  });
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  st.client->on_wakeup([weak, flag = st.wake_pending] {
    if (flag->exchange(true))
      return;
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<consumer_api>(strong), wake_atom::value);
  });
  std::vector<std::string> topics;
  for (auto& [topic, subs] : st.subscribers)
    topics.push_back(topic);
  // Its owner is the leader: it is taken, never read.
  if (!core.settings().client_only)
    topics.push_back(core.leader_topic);
  if (auto subscribed = st.client->subscribe(topics); !subscribed) {
    core.fail(subscribed.error().message);
    return;
  }
  self->send(self, tick_atom::value);
}

consumer_api::behavior_type
kafka_consumer_impl(consumer_actor self, std::shared_ptr<app_core> core) {
  self->state.core = std::move(core);
  supervision::name_failures(self, "the Kafka consumer");
  // Stopping: leave the group within the time the stop has left (a plain
  // close waits for an answer forever), then go.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    if (st.client) {
      // Not leaving in time loses nothing (the group gives the partitions
      // away when the session expires): a warning, not a failed stop.
      (void)st.client->close(
          st.core->stop.bound(st.core->settings().shutdown_timeout));
      st.client.reset();
    }
    self->quit(msg.reason);
  });
  return {
      [self](subscribe_atom, const std::string& topic, subscriber_api who) {
        self->state.subscribers[topic].push_back(std::move(who));
      },
      [self](start_atom) { start(self); },
      [self](wake_atom) {
        self->state.wake_pending->store(false);
        fetch(self);
        maybe_finish_idle(self);
      },
      [self](ack_atom, const ack_list& acks) {
        auto& st = self->state;
        auto backlog_limit = max_backlog(st);
        std::vector<models::topic_partition> to_resume;
        for (auto& [id, offset] : acks.acks) {
          if (id >= st.partitions.size())
            continue;
          auto& p = st.partitions[id];
          if (!p.active || !p.tracker.ack(offset))
            continue;
          ++st.acks_since_commit;
          if (p.barrier) {
            if (p.tracker.pending() == 0)
              commit_transaction(self, id);
            continue;
          }
          dispatch_backlog(self, p);
          if (p.paused && p.backlog_records <= backlog_limit / 2) {
            p.paused = false;
            to_resume.push_back(p.tp);
          }
        }
        if (st.client && !st.draining)
          st.client->resume(to_resume);
        if (st.acks_since_commit >= st.core->settings().broker_commit_every)
          commit(self, false);
        else
          finish_waiting_commit(self);
        maybe_finish_drain(self);
        maybe_finish_idle(self);
      },
      [self](commit_atom) {
        commit(self, true);
        return true;
      },
      [self](tick_atom) {
        auto& st = self->state;
        // Also serves rebalances and errors while partitions are paused.
        fetch(self);
        check_brokers(self);
        publish_flow(st);
        if (steady_clock::now() - st.last_commit >=
            st.core->settings().broker_commit_interval)
          commit(self, false);
        else
          finish_waiting_commit(self);
        // Also a stop's drain that waited for records of partitions
        // revoked meanwhile (they no longer count as in flight).
        maybe_finish_drain(self);
        maybe_finish_idle(self);
        if (st.trimmer.due(steady_clock::now()) && in_flight(st) == 0) {
          st.client->release_spare_messages();
          st.trimmer.trim();
        }
        self->delayed_send(self, milliseconds{200}, tick_atom::value);
      },
      [self](idle_atom) -> caf::result<bool> {
        auto& st = self->state;
        if (idle_confirmed(self)) {
          commit(self, true);
          return true;
        }
        return st.idle_waiters.park(self);
      },
      [self](drain_atom) -> caf::result<bool> {
        auto& st = self->state;
        if (!st.draining && st.client) {
          std::vector<models::topic_partition> all;
          for (auto& [tp, id] : st.active)
            all.push_back(tp);
          st.client->pause(all);
        }
        st.draining = true;
        if (in_flight(st) == 0) {
          commit(self, true);
          return true;
        }
        return st.drain_waiters.park(self);
      },
  };
}

} // namespace

consumer_api spawn_kafka_consumer(caf::actor_system& sys,
                                  std::shared_ptr<app_core> core) {
  // Detached: librdkafka calls (commits, flushes) may block for a while.
  return sys.spawn<caf::detached>(kafka_consumer_impl, std::move(core));
}

} // namespace faust::internal
