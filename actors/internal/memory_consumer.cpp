#include "actors/internal/ack_routing.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "actors/internal/user_hook.hpp"
#include "actors/internal/waiting_requests.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/producer.hpp"
#include "transport/kafka/transaction_manager.hpp"
#include "transport/memory_broker.hpp"
#include "transport/offset_tracker.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <map>

namespace faust::internal {

namespace {

struct partition_state {
  models::topic_partition tp;
  int64_t position = 0;
  transport::offset_tracker tracker;
  std::vector<subscriber_api>* subscribers = nullptr;
  bool commit = true;
  /// What the monitor shows of it (topics only, not channels).
  std::shared_ptr<partition_figures> figures;
};

struct consumer_state {
  std::shared_ptr<app_core> core;
  std::map<std::string, std::vector<subscriber_api>> subscribers;
  std::vector<partition_state> partitions;
  std::shared_ptr<std::atomic<bool>> wake_pending =
      std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::vector<uint64_t>> watches =
      std::make_shared<std::vector<uint64_t>>();
  bool started = false;
  bool draining = false;
  uint64_t acks_since_commit = 0;
  waiting_requests drain_waiters;
  waiting_requests idle_waiters;
  static inline const char* name = "faust.consumer";
};

using consumer_actor = consumer_api::stateful_pointer<consumer_state>;

/// What the monitor shows of each partition's flow and end offset (at
/// every commit: each interval, at idle, at a drain).
void publish_flow(consumer_state& st) {
  for (auto& p : st.partitions)
    if (p.figures) {
      p.figures->end_offset.store(st.core->broker->high_watermark(p.tp),
                                  std::memory_order_relaxed);
      p.figures->in_flight.store(static_cast<int64_t>(p.tracker.pending()),
                                 std::memory_order_relaxed);
    }
}

void commit(consumer_actor self) {
  auto& st = self->state;
  for (auto& p : st.partitions)
    if (auto offset = p.tracker.take_commit(); offset && p.commit) {
      st.core->broker->commit(st.core->app_id, p.tp, *offset);
      st.core->stats.commits.fetch_add(1, std::memory_order_relaxed);
      if (p.figures)
        p.figures->committed_offset.store(*offset, std::memory_order_relaxed);
      if (st.core->on_commit)
        st.core->on_commit(p.tp, *offset);
    }
  st.acks_since_commit = 0;
  publish_flow(st);
}

size_t in_flight(const consumer_state& st) {
  size_t n = 0;
  for (auto& p : st.partitions)
    n += p.tracker.pending();
  return n;
}

void maybe_finish_drain(consumer_actor self) {
  auto& st = self->state;
  if (!st.draining || st.drain_waiters.empty() || in_flight(st) > 0)
    return;
  commit(self);
  st.drain_waiters.release();
}

bool idle(const consumer_state& st) {
  if (!st.started)
    return false;
  for (auto& p : st.partitions)
    if (p.tracker.pending() > 0 ||
        p.position < st.core->broker->high_watermark(p.tp))
      return false;
  return true;
}

void maybe_finish_idle(consumer_actor self) {
  auto& st = self->state;
  if (st.idle_waiters.empty() || !idle(st))
    return;
  commit(self);
  st.idle_waiters.release();
}

void fetch(consumer_actor self) {
  auto& st = self->state;
  if (!st.started || st.draining)
    return;
  auto max_in_flight =
      std::max<size_t>(1, st.core->settings().stream_buffer_maxsize);
  auto batch_size =
      std::max<size_t>(1, std::min<size_t>(1024, max_in_flight / 2));
  std::vector<models::message_ptr> fetched;
  for (uint32_t id = 0; id < st.partitions.size(); ++id) {
    auto& p = st.partitions[id];
    while (p.tracker.pending() < max_in_flight) {
      auto batch = std::make_shared<record_batch>();
      batch->tp_id = id | channel_tp_flag;
      batch->tp = p.tp;
      auto want = std::min(batch_size, max_in_flight - p.tracker.pending());
      fetched.clear();
      auto n = st.core->broker->fetch_into(p.tp, p.position, want, fetched);
      if (n == 0)
        break;
      batch->records.reserve(n);
      batch->owners.reserve(n);
      for (auto& m : fetched)
        batch->add(std::move(m));
      auto refs = static_cast<uint32_t>(p.subscribers->size());
      for (auto& m : batch->records)
        p.tracker.delivered(m->offset, refs);
      p.position = batch->records.back()->offset + 1;
      if (p.figures) {
        p.figures->handed_on(n, p.position - 1);
        st.core->stats.messages_received.fetch_add(n,
                                                   std::memory_order_relaxed);
      }
      batch_ptr shared = std::move(batch);
      for (auto& sub : *p.subscribers)
        self->send(sub, batch_atom::value, shared);
    }
  }
}

void start(consumer_actor self) {
  auto& st = self->state;
  if (st.started)
    return;
  st.started = true;
  auto& core = *st.core;
  bool latest = core.settings().consumer_auto_offset_reset == "latest";
  for (auto& [topic, subs] : st.subscribers) {
    auto count = core.broker->partitions(topic);
    if (count == 0) {
      faust::log().error("consumer: topic '{}' does not exist; its streams "
                         "get no records",
                         topic);
      continue;
    }
    assignment assigned;
    for (int32_t p = 0; p < count; ++p) {
      models::topic_partition tp{topic, p};
      auto committed = core.broker->committed(core.app_id, tp);
      int64_t start = committed
                          ? *committed
                          : (latest ? core.broker->high_watermark(tp) : 0);
      partition_state ps{tp,
                         start,
                         transport::offset_tracker{start},
                         &subs,
                         core.acks_enabled_for(topic),
                         nullptr};
      if (!app_core::is_channel_name(topic)) {
        ps.figures = core.board->assign(tp);
        if (committed)
          ps.figures->committed_offset.store(*committed);
      }
      st.partitions.push_back(std::move(ps));
      assigned.partitions.push_back(tp);
    }
    for (auto& sub : subs)
      self->send(sub, assigned_atom::value, assigned);
    if (auto& hook = core.on_partitions_assigned;
        hook && !app_core::is_channel_name(topic))
      run_user_hook(
          "on_partitions_assigned", [&] { hook(assigned.partitions); },
          core.stats.hook_errors);
    auto flag = st.wake_pending;
    auto me = caf::actor_cast<consumer_api>(self);
    st.watches->push_back(core.broker->watch(topic, [flag, me] {
      if (!flag->exchange(true))
        caf::anon_send(me, wake_atom::value);
    }));
  }
  // Records produced before the watches existed.
  fetch(self);
  publish_flow(st);
  self->delayed_send(self, core.settings().broker_commit_interval,
                     tick_atom::value);
}

consumer_api::behavior_type consumer_impl(consumer_actor self,
                                          std::shared_ptr<app_core> core) {
  self->state.core = std::move(core);
  supervision::name_failures(self, "the in-process consumer");
  self->attach_functor([core = self->state.core,
                        watches = self->state.watches](const caf::error&) {
    for (auto id : *watches)
      core->broker->unwatch(id);
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
        for (auto [flagged, offset] : acks.acks)
          if (auto id = flagged & ~channel_tp_flag;
              id < st.partitions.size() &&
              st.partitions[id].tracker.ack(offset))
            ++st.acks_since_commit;
        if (st.acks_since_commit >= st.core->settings().broker_commit_every)
          commit(self);
        fetch(self);
        maybe_finish_drain(self);
        maybe_finish_idle(self);
      },
      [self](commit_atom) {
        commit(self);
        return true;
      },
      [self](tick_atom) {
        commit(self);
        self->delayed_send(self,
                           self->state.core->settings().broker_commit_interval,
                           tick_atom::value);
      },
      [self](idle_atom) -> caf::result<bool> {
        auto& st = self->state;
        if (idle(st)) {
          commit(self);
          return true;
        }
        return st.idle_waiters.park(self);
      },
      [self](drain_atom) -> caf::result<bool> {
        auto& st = self->state;
        st.draining = true;
        if (in_flight(st) == 0) {
          commit(self);
          return true;
        }
        return st.drain_waiters.park(self);
      },
  };
}

} // namespace

consumer_api spawn_memory_consumer(caf::actor_system& sys,
                                   std::shared_ptr<app_core> core) {
  return sys.spawn(consumer_impl, std::move(core));
}

} // namespace faust::internal
