#include "actors/internal/rebalance_coordinator.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/user_hook.hpp"
#include "supervision/errors.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace faust::internal {

namespace {

using std::chrono::milliseconds;

/// Where a partition this worker holds is in its rebalances.
enum class holding { recovering, ready, going };

/// A partition held here: its state, and the assignment that gave it (so
/// a recovery that ends after the partition was revoked, and maybe
/// assigned again, changes nothing).
struct held_partition {
  holding state = holding::recovering;
  uint64_t assignment = 0;
};

struct rebalance_state {
  std::shared_ptr<app_core> core;
  rebalance_locals locals;
  std::map<std::string, std::vector<subscriber_api>> subscribers;
  std::unordered_map<models::topic_partition, held_partition> held;
  group_member member;
  /// Numbers the assignments.
  uint64_t assignments = 0;
  static inline const char* name = "faust.rebalance";
};

using coordinator_actor = rebalance_api::stateful_pointer<rebalance_state>;

/// The leader topic's partition says whether this worker leads; returns
/// the other partitions.
std::vector<models::topic_partition>
take_leadership(rebalance_state& st, const assignment& given, bool leads) {
  std::vector<models::topic_partition> rest;
  rest.reserve(given.partitions.size());
  for (auto& tp : given.partitions)
    if (tp.topic == st.core->leader_topic) {
      if (st.core->leader.exchange(leads) != leads)
        faust::log().info(leads ? "this worker is the leader now"
                                : "this worker is no longer the leader");
    } else {
      rest.push_back(tp);
    }
  return rest;
}

/// The gateway serves calls for the ready partitions (and holds them for
/// the recovering ones); the announcement tells the cluster. Partitions
/// that are going are in neither; the reply topic is private.
void announce(coordinator_actor self) {
  auto& st = self->state;
  cluster_ownership owned;
  owned.member_id = st.member.id;
  owned.generation = st.member.generation;
  if (st.core->leader.load())
    owned.active.push_back(
        {{st.core->leader_topic, 0}, cluster::partition_state::ready});
  std::vector<models::topic_partition> ready, recovering;
  for (auto& [tp, h] : st.held) {
    if (tp.topic == st.core->reply_topic || h.state == holding::going)
      continue;
    bool is_ready = h.state == holding::ready;
    owned.active.push_back({tp, is_ready
                                    ? cluster::partition_state::ready
                                    : cluster::partition_state::recovering});
    (is_ready ? ready : recovering).push_back(tp);
  }
  // Sorted: the same holdings announce the same record.
  std::sort(owned.active.begin(), owned.active.end(),
            [](auto& a, auto& b) { return a.tp < b.tp; });
  st.core->stats.partitions_assigned =
      static_cast<int32_t>(ready.size() + recovering.size());
  st.core->stats.partitions_recovering =
      static_cast<int32_t>(recovering.size());
  if (st.locals.gateway)
    self->send(st.locals.gateway, owned_atom::value, std::move(ready),
               std::move(recovering));
  if (st.locals.member)
    self->send(st.locals.member, announce_atom::value, std::move(owned));
}

/// The partitions of `tps` grouped by topic, for the topics with
/// subscribers.
std::map<std::string, assignment>
by_topic(const rebalance_state& st,
         const std::vector<models::topic_partition>& tps) {
  std::map<std::string, assignment> out;
  for (auto& tp : tps)
    if (st.subscribers.count(tp.topic))
      out[tp.topic].partitions.push_back(tp);
  return out;
}

/// Within the session (a member that stays away longer is dropped), and
/// within what a stop has left.
milliseconds revoke_bound(const app_core& core) {
  return core.stop.bound(std::min(core.settings().shutdown_timeout,
                                  core.settings().broker_session_timeout / 2));
}

caf::result<bool> on_assigned(coordinator_actor self, const group_member& m,
                              const assignment& given) {
  auto& st = self->state;
  st.member = m;
  auto tps = take_leadership(st, given, true);
  if (auto& hook = st.core->on_partitions_assigned)
    run_user_hook(
        "on_partitions_assigned", [&] { hook(tps); },
        st.core->stats.hook_errors);
  for (auto& [topic, a] : by_topic(st, tps))
    for (auto& sub : st.subscribers[topic])
      self->send(sub, assigned_atom::value, a);
  bool tables = static_cast<bool>(st.locals.tables);
  auto number = ++st.assignments;
  for (auto& tp : tps) {
    st.held[tp] = {tables ? holding::recovering : holding::ready, number};
  }
  announce(self);
  if (!tables)
    return true;
  auto promise = self->make_response_promise<bool>();
  self->request(st.locals.tables, caf::infinite, recover_atom::value,
                assignment{tps})
      .then(
          [self, tps, number, promise](bool recovered) mutable {
            auto& st = self->state;
            // Not recovered: the worker is failed; they stay recovering
            // (not served).
            for (auto& tp : tps)
              if (auto it = st.held.find(tp);
                  recovered && it != st.held.end() &&
                  it->second.state == holding::recovering &&
                  it->second.assignment == number)
                it->second.state = holding::ready;
            announce(self);
            promise.deliver(recovered);
          },
          [self, promise](caf::error& err) mutable {
            // The table manager is gone (its supervisor stops the worker):
            // the partitions stay held back; nothing is processed
            // unrecovered.
            if (!self->state.core->stop.stopping())
              self->state.core->fail("table recovery failed: " +
                                     supervision::describe(err));
            promise.deliver(false);
          });
  return promise;
}

/// Runs the user's revoke hook once per revoke: for the partitions held
/// here and not already going (a drain ran it for those; a partition given
/// up earlier, as a fenced one, is not held any more).
void revoke_hook(coordinator_actor self,
                 const std::vector<models::topic_partition>& tps) {
  auto& st = self->state;
  auto& hook = st.core->on_partitions_revoked;
  if (!hook)
    return;
  std::vector<models::topic_partition> first;
  for (auto& tp : tps)
    if (auto it = st.held.find(tp);
        it != st.held.end() && it->second.state != holding::going)
      first.push_back(tp);
  if (!first.empty())
    run_user_hook(
        "on_partitions_revoked", [&] { hook(first); },
        st.core->stats.hook_errors);
}

caf::result<bool> on_drain(coordinator_actor self, const group_member& m,
                           const assignment& going) {
  auto& st = self->state;
  st.member = m;
  auto tps = take_leadership(st, going, false);
  revoke_hook(self, tps);
  for (auto& tp : tps)
    if (auto it = st.held.find(tp); it != st.held.end())
      it->second.state = holding::going;
  // Callers hear at once that these partitions are going.
  announce(self);
  auto per_topic = by_topic(st, tps);
  struct fan_in {
    size_t left = 0;
    std::vector<std::string> late;
  };
  auto f = std::make_shared<fan_in>();
  for (auto& [topic, a] : per_topic)
    f->left += st.subscribers[topic].size();
  if (f->left == 0)
    return true;
  auto promise = self->make_response_promise<bool>();
  auto bound = revoke_bound(*st.core);
  auto done = [f, promise]() mutable {
    if (--f->left > 0)
      return;
    if (!f->late.empty()) {
      std::string topics;
      for (auto& t : f->late)
        topics += (topics.empty() ? "" : ", ") + t;
      faust::log().warn("revoke: the events in flight of {} did not finish "
                        "in time; their records are processed again by the "
                        "partitions' next owner",
                        topics);
    }
    promise.deliver(f->late.empty());
  };
  for (auto& [topic, a] : per_topic)
    for (auto& sub : st.subscribers[topic])
      self->request(sub, bound, drain_atom::value, a)
          .then([done](bool) mutable { done(); },
                [f, done, topic = topic](caf::error&) mutable {
                  f->late.push_back(topic);
                  done();
                });
  return promise;
}

caf::result<bool> on_revoked(coordinator_actor self, const group_member& m,
                             const assignment& gone, bool lost) {
  auto& st = self->state;
  st.member = m;
  auto given = take_leadership(st, gone, false);
  revoke_hook(self, given);
  // Only what is held here goes (a partition given up earlier, as a fenced
  // one, was handed over then).
  std::vector<models::topic_partition> tps;
  for (auto& tp : given)
    if (st.held.erase(tp) > 0)
      tps.push_back(tp);
  faust::log().info("partitions {}: {}", lost ? "lost" : "revoked", tps.size());
  for (auto& [topic, a] : by_topic(st, tps))
    for (auto& sub : st.subscribers[topic])
      self->send(sub, revoked_atom::value, a);
  announce(self);
  if (st.core->on_revoke_done)
    st.core->on_revoke_done(tps);
  if (!st.locals.tables || tps.empty())
    return true;
  assignment remaining;
  for (auto& [tp, h] : st.held)
    remaining.partitions.push_back(tp);
  auto bound = revoke_bound(*st.core);
  auto promise = self->make_response_promise<bool>();
  self->request(st.locals.tables, bound, release_atom::value, assignment{tps},
                std::move(remaining), lost)
      .then([promise](bool) mutable { promise.deliver(true); },
            [promise, bound](caf::error& err) mutable {
              faust::log().warn("table partitions not handed over within {} "
                                "ms ({}): giving them up anyway",
                                bound.count(), supervision::describe(err));
              promise.deliver(true);
            });
  return promise;
}

rebalance_api::behavior_type coordinator_impl(coordinator_actor self,
                                              std::shared_ptr<app_core> core,
                                              rebalance_locals locals) {
  self->state.core = std::move(core);
  self->state.locals = std::move(locals);
  supervision::name_failures(self, "the rebalance coordinator");
  return {
      [self](subscribe_atom, const std::string& topic, subscriber_api who) {
        self->state.subscribers[topic].push_back(std::move(who));
      },
      [self](assigned_atom, const group_member& m, const assignment& given) {
        return on_assigned(self, m, given);
      },
      [self](drain_atom, const group_member& m, const assignment& going) {
        return on_drain(self, m, going);
      },
      [self](revoked_atom, const group_member& m, const assignment& gone,
             bool lost) { return on_revoked(self, m, gone, lost); },
  };
}

} // namespace

rebalance_api spawn_rebalance_coordinator(caf::actor_system& sys,
                                          std::shared_ptr<app_core> core,
                                          rebalance_locals locals) {
  return sys.spawn(coordinator_impl, std::move(core), std::move(locals));
}

} // namespace faust::internal
