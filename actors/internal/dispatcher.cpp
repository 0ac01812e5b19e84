#include "actors/internal/runtime_actors.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <deque>
#include <optional>

namespace faust::internal {

namespace {

struct slot {
  instance_api instance;
  bool ready = false;
  std::optional<work> outstanding;
  std::deque<work> queue; // isolated partitions only
};

/// An instance replaced before its down message arrived (a supervisor
/// restarts siblings without waiting for the dispatcher to hear of their
/// end): the work it was sent stays with it until it reports or goes down.
struct retiring_instance {
  caf::actor_addr instance;
  size_t index = 0;
  std::optional<work> outstanding;
};

/// A rebalance waits for the events of these partitions in flight.
struct drain_wait {
  std::vector<models::topic_partition> partitions;
  caf::typed_response_promise<bool> promise;
};

struct dispatcher_state {
  dispatcher_config cfg;
  std::vector<drain_wait> drains;
  std::deque<work> shared_queue;
  std::vector<slot> slots;
  std::vector<retiring_instance> retiring;
  static inline const char* name = "faust.dispatcher";
};

using dispatcher_actor = dispatcher_api::stateful_pointer<dispatcher_state>;

std::deque<work>& queue_of(dispatcher_state& st, size_t index) {
  return st.cfg.isolated ? st.slots[index].queue : st.shared_queue;
}

size_t slot_for(const dispatcher_state& st, const work& w) {
  return static_cast<size_t>(w.batch->tp.partition) % st.slots.size();
}

void dispatch(dispatcher_actor self) {
  auto& st = self->state;
  for (size_t i = 0; i < st.slots.size(); ++i) {
    auto& s = st.slots[i];
    auto& q = queue_of(st, i);
    if (!s.ready || !s.instance || q.empty())
      continue;
    s.outstanding = std::move(q.front());
    q.pop_front();
    s.ready = false;
    self->send(s.instance, work_atom::value, *s.outstanding);
  }
}

bool of_partitions(const std::optional<work>& w,
                   const std::vector<models::topic_partition>& tps) {
  return w && w->batch &&
         std::find(tps.begin(), tps.end(), w->batch->tp) != tps.end();
}

/// Whether an instance still holds work of `tps`.
bool holds_work_of(const dispatcher_state& st,
                   const std::vector<models::topic_partition>& tps) {
  for (auto& s : st.slots)
    if (of_partitions(s.outstanding, tps))
      return true;
  for (auto& r : st.retiring)
    if (of_partitions(r.outstanding, tps))
      return true;
  return false;
}

/// Answers `promise` once every instance has sent the acks it held back
/// for its table caches (they reach the consumer before this answer).
void flush_then_answer(dispatcher_actor self,
                       caf::typed_response_promise<bool> promise) {
  auto& st = self->state;
  std::vector<instance_api> live;
  for (auto& s : st.slots)
    if (s.instance)
      live.push_back(s.instance);
  if (live.empty()) {
    promise.deliver(true);
    return;
  }
  auto left = std::make_shared<size_t>(live.size());
  auto one = [left, promise]() mutable {
    if (--*left == 0)
      promise.deliver(true);
  };
  for (auto& i : live)
    self->request(i, std::chrono::seconds{5}, flush_acks_atom::value)
        .then([one](bool) mutable { one(); },
              [one](caf::error&) mutable { one(); });
}

/// Answers the drains whose partitions no instance works on any more.
void settle_drains(dispatcher_actor self) {
  auto& st = self->state;
  for (auto it = st.drains.begin(); it != st.drains.end();) {
    if (holds_work_of(st, it->partitions)) {
      ++it;
      continue;
    }
    auto promise = it->promise;
    it = st.drains.erase(it);
    flush_then_answer(self, promise);
  }
}

/// Whether `tp` is being drained (its records go to its next owner).
bool draining(const dispatcher_state& st, const models::topic_partition& tp) {
  for (auto& d : st.drains)
    if (std::find(d.partitions.begin(), d.partitions.end(), tp) !=
        d.partitions.end())
      return true;
  return false;
}

/// Drops the queued work of `tps` (their new owner starts from the last
/// commit).
void drop_queued(dispatcher_state& st,
                 const std::vector<models::topic_partition>& tps) {
  auto gone = [&](const work& w) {
    return std::find(tps.begin(), tps.end(), w.batch->tp) != tps.end();
  };
  std::erase_if(st.shared_queue, gone);
  for (auto& s : st.slots)
    std::erase_if(s.queue, gone);
}

/// Puts unfinished work back at the front, where its replacement starts
/// (not work of a partition being drained: it is going elsewhere).
void requeue(dispatcher_state& st, size_t index, work w) {
  if (!w.empty() && draining(st, w.batch->tp))
    return;
  if (!w.empty())
    queue_of(st, st.cfg.isolated ? slot_for(st, w) : index)
        .push_front(std::move(w));
}

std::vector<retiring_instance>::iterator
find_retiring(dispatcher_state& st, const caf::actor_addr& instance) {
  return std::find_if(
      st.retiring.begin(), st.retiring.end(),
      [&](const retiring_instance& r) { return r.instance == instance; });
}

dispatcher_api::behavior_type dispatcher_impl(dispatcher_actor self,
                                              dispatcher_config cfg) {
  auto& st = self->state;
  supervision::name_failures(self, "the dispatcher of agent '" +
                                       cfg.agent_name + "'");
  st.slots.resize(std::max<size_t>(1, cfg.slots));
  st.cfg = std::move(cfg);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (auto r = find_retiring(st, dm.source); r != st.retiring.end()) {
      if (r->outstanding)
        requeue(st, r->index, std::move(*r->outstanding));
      st.retiring.erase(r);
      dispatch(self);
      return;
    }
    for (size_t i = 0; i < st.slots.size(); ++i) {
      auto& s = st.slots[i];
      if (!s.instance || s.instance.address() != dm.source)
        continue;
      if (s.outstanding)
        requeue(st, i, std::move(*s.outstanding));
      s = slot{instance_api{}, false, std::nullopt, std::move(s.queue)};
      if (!dm.reason)
        faust::log().warn("agent '{}': instance {} finished; its share of "
                          "the stream waits for a new instance",
                          st.cfg.agent_name, i);
    }
    settle_drains(self);
  });
  return {
      [self](batch_atom, const batch_ptr& batch) {
        auto& st = self->state;
        if (draining(st, batch->tp))
          return; // a direct call in it answers not_owner (nothing ran)
        work w{batch, 0};
        queue_of(st, st.cfg.isolated ? slot_for(st, w) : 0)
            .push_back(std::move(w));
        dispatch(self);
      },
      [self](assigned_atom, const assignment& given) {
        // Instances exist per slot already. A drain that outlived its
        // revoke (it ran out of time) ends for what is given again.
        auto& st = self->state;
        std::erase_if(st.drains, [&](drain_wait& d) {
          for (auto& tp : given.partitions)
            if (std::find(d.partitions.begin(), d.partitions.end(), tp) !=
                d.partitions.end()) {
              d.promise.deliver(false);
              return true;
            }
          return false;
        });
      },
      [self](revoked_atom, const assignment& revoked) {
        // Queued records of revoked partitions are not processed here: the
        // partition's new owner starts from the last commit.
        drop_queued(self->state, revoked.partitions);
      },
      [self](drain_atom, const assignment& going) -> caf::result<bool> {
        auto& st = self->state;
        drop_queued(st, going.partitions);
        auto promise = self->make_response_promise<bool>();
        if (!holds_work_of(st, going.partitions))
          flush_then_answer(self, promise);
        else
          st.drains.push_back({going.partitions, promise});
        return promise;
      },
      [self](ready_atom, size_t index) {
        auto& st = self->state;
        if (index >= st.slots.size())
          return;
        auto& s = st.slots[index];
        auto sender = caf::actor_cast<instance_api>(self->current_sender());
        if (auto r = find_retiring(st, sender.address());
            r != st.retiring.end()) {
          r->outstanding.reset(); // it finished its last work before it ended
          settle_drains(self);
          return;
        }
        if (s.instance != sender) {
          if (s.instance) // replaced before we heard of its end
            st.retiring.push_back(
                {s.instance.address(), index, std::move(s.outstanding)});
          s.instance = sender;
          self->monitor(sender);
        }
        s.outstanding.reset();
        s.ready = true;
        settle_drains(self);
        dispatch(self);
        // Nothing queued for it: it has caught up with its input (and
        // sends the writes its table caches hold).
        if (s.ready && s.instance)
          self->send(s.instance, caught_up_atom::value);
      },
      [self](crashed_atom, size_t index, work rest) {
        auto& st = self->state;
        if (index >= st.slots.size())
          return;
        if (auto r = find_retiring(
                st, caf::actor_cast<caf::actor_addr>(self->current_sender()));
            r != st.retiring.end()) {
          if (r->outstanding && r->outstanding->batch != rest.batch)
            requeue(st, index, std::move(*r->outstanding));
          r->outstanding.reset();
          requeue(st, index, std::move(rest));
          settle_drains(self);
          dispatch(self);
          return;
        }
        auto& s = st.slots[index];
        // Work sent after the instance stopped taking it (a timeout crash
        // while idle) is older than nothing but newer than `rest`.
        if (s.outstanding && s.outstanding->batch != rest.batch)
          requeue(st, index, std::move(*s.outstanding));
        s.outstanding.reset();
        s.ready = false;
        s.instance = instance_api{}; // its down message is now ignored
        requeue(st, index, std::move(rest));
        settle_drains(self);
      },
  };
}

} // namespace

dispatcher_api spawn_dispatcher(caf::actor_system& sys, dispatcher_config cfg) {
  return sys.spawn(dispatcher_impl, std::move(cfg));
}

} // namespace faust::internal
