#include "actors/internal/cluster_gateway.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/deadline_timer.hpp"
#include "actors/internal/runtime_handles.hpp"
#include "actors/internal/table_read.hpp"
#include "models/reqrep.hpp"
#include "storage/origin.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"
#include "transport/murmur2.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace faust::internal {

namespace {

using protocol::agent_reply;
using protocol::agent_request;
using protocol::wire_error;

/// Direct calls in flight in one worker: past this a caller gets `retry`.
constexpr size_t max_calls_in_flight = 10000;
/// Calls held for partitions being recovered here: past this, `retry`.
constexpr size_t max_held_calls = 1000;
/// How long a call is held at most (and at most half its timeout, so that
/// the caller's fallback through Kafka still has time).
constexpr std::chrono::milliseconds max_hold{5000};

using reply_promise = caf::typed_response_promise<agent_reply>;

/// A call for a partition this worker was given and is recovering: served
/// once it is ready, or answered `retry`.
struct held_call {
  agent_request req;
  reply_promise promise;
  models::topic_partition tp;
  std::chrono::steady_clock::time_point arrived;
  std::chrono::steady_clock::time_point until;
};

struct pending_call {
  caf::typed_response_promise<agent_reply> promise;
  std::string correlation_id;
  std::string agent;
  std::chrono::steady_clock::time_point deadline;
  /// A call made in this process (a `local_call`): answered through its
  /// waiter instead of `promise`, or handed to the router if it did not
  /// run (its key and value are copies: the record has them).
  std::optional<direct_request> local;
};

struct gateway_state {
  std::shared_ptr<app_core> core;
  cluster_identity who;
  agent_routes routes;
  /// The partitions this worker owns and has recovered.
  std::set<models::topic_partition> ready;
  /// The partitions it was given and is recovering (their calls wait).
  std::set<models::topic_partition> recovering;
  /// Held calls by id (arrival order).
  std::map<uint64_t, held_call> held;
  std::unordered_map<uint64_t, pending_call> pending;
  /// The pending calls' deadlines (one timer for all).
  deadline_timer deadlines;
  uint64_t next_id = 1;
  uint64_t casts_dropped = 0;
  /// The origin of direct calls' table writes: a source of their own per
  /// worker start (no Kafka topic has this name).
  std::string origin_topic;
  static inline const char* name = "cluster gateway";
};

using gateway_actor = gateway_local_api::stateful_pointer<gateway_state>;

agent_reply failure(const agent_request& req, errc code, std::string why) {
  return {req.correlation_id, std::nullopt, wire_error{code, std::move(why)}};
}

/// "(key k, this worker): " as the router says it (the caller adds the
/// agent and the correlation id).
std::string what(const direct_request& req, int32_t partition) {
  return (req.key ? "(key " + *req.key
                  : "(partition " + std::to_string(partition)) +
         ", this worker): ";
}

void finish(gateway_actor self, uint64_t id, agent_reply reply) {
  auto& pending = self->state.pending;
  auto it = pending.find(id);
  if (it == pending.end())
    return;
  if (auto& local = it->second.local) {
    // A value was given to the waiter by the call itself.
    if (!reply.value)
      local->waiter->on_error(
          reply.failure
              ? error{reply.failure->code,
                      what(*local, local->partition) + reply.failure->message}
              : error{errc::runtime_failure, "an empty reply"});
  } else {
    reply.correlation_id = it->second.correlation_id;
    it->second.promise.deliver(std::move(reply));
  }
  self->state.deadlines.remove(it->second.deadline, id);
  pending.erase(it);
}

/// A call made here that this gateway does not serve now: the router
/// decides (another worker, held for recovery, a retry, Kafka).
void hand_to_router(gateway_actor self, direct_request req) {
  auto& rt = self->state.core->runtime;
  if (rt && rt->router) {
    self->send(rt->router, call_atom::value, std::move(req));
    return;
  }
  req.waiter->on_error(
      error{errc::not_running, "no direct route: the worker is stopping"});
}

void arm_timer(gateway_actor self) {
  if (auto t = self->state.deadlines.rearm())
    self->delayed_send(self, t->delay, timeout_atom::value, t->number);
}

/// Timer `number` fired: every call past its deadline is answered
/// `timeout`, every call held past its bound `retry` (nothing ran).
void expire_calls(gateway_actor self, uint64_t number) {
  auto& st = self->state;
  for (auto id : st.deadlines.fired(number)) {
    if (auto h = st.held.find(id); h != st.held.end()) {
      auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
          h->second.until - h->second.arrived);
      h->second.promise.deliver(
          failure(h->second.req, errc::retry,
                  "worker '" + st.who.worker_id + "' is still recovering " +
                      h->second.tp.topic + "[" +
                      std::to_string(h->second.tp.partition) + "] after " +
                      std::to_string(waited.count()) + " ms"));
      st.held.erase(h);
      continue;
    }
    finish(self, id,
           {{},
            std::nullopt,
            wire_error{errc::timeout,
                       "no reply within the call's timeout on worker '" +
                           st.who.worker_id + "'"}});
  }
  arm_timer(self);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Where a call or cast for `agent` goes in this worker: its route and
/// partition, or why it cannot run here (nothing ran).
struct placement {
  const agent_route* route = nullptr;
  int32_t partition = -1;
  std::optional<wire_error> refused;
  /// Owned here and being recovered: the call waits.
  bool recovering = false;
};

/// Why this worker serves no direct call now, whatever its partition
/// (nullopt: it may).
std::optional<std::string> serves_nothing(const gateway_state& st) {
  if (st.core->stop.stopping())
    return "is stopping";
  if (!st.core->holds_lease())
    return "has not heard from its group lately (it was stopped or is cut "
           "off): it serves nothing now";
  if (st.core->transactions)
    return "runs exactly_once: calls go through Kafka";
  return std::nullopt;
}

placement place(const gateway_state& st, const std::string& agent,
                const std::optional<std::string>& key, int32_t partition) {
  auto no = [&](errc code, const std::string& why) {
    return placement{
        nullptr, -1,
        wire_error{code, "worker '" + st.who.worker_id + "' " + why}};
  };
  auto route = st.routes.find(agent);
  if (route == st.routes.end())
    return no(errc::invalid_argument, "has no agent '" + agent + "'");
  if (auto why = serves_nothing(st))
    return no(errc::not_owner, *why);
  auto& r = route->second;
  if (r.partitions <= 0)
    return no(errc::not_owner,
              "does not know topic '" + r.topic + "' (no partitions)");
  if (partition < 0) {
    if (!key)
      return no(errc::invalid_argument,
                "takes direct calls with a key or a partition only");
    partition = transport::partition_for_key(*key, r.partitions);
  }
  if (partition >= r.partitions)
    return no(errc::invalid_argument, "has no partition " +
                                          std::to_string(partition) +
                                          " of topic '" + r.topic + "'");
  if (st.recovering.count({r.topic, partition}))
    return {&r, partition, std::nullopt, true};
  if (!st.ready.count({r.topic, partition}))
    return no(errc::not_owner, "does not own " + r.topic + "[" +
                                   std::to_string(partition) + "]");
  return {&r, partition, std::nullopt};
}

/// The record of a call to `r`'s agent on `partition`, without its key and
/// value, with a new id and its deadline.
std::shared_ptr<direct_call> make_call(gateway_actor self, const agent_route& r,
                                       int32_t partition,
                                       const std::string& correlation_id,
                                       int64_t timeout_ms) {
  auto& st = self->state;
  auto id = st.next_id++;
  // At least 1 ms, at most an hour (the caller's word, from the network).
  auto timeout = std::chrono::milliseconds{
      std::clamp<int64_t>(timeout_ms, 1, int64_t{3600} * 1000)};
  auto call = std::make_shared<direct_call>();
  call->topic = r.topic;
  call->partition = partition;
  call->offset = direct_offset;
  call->timestamp_ms = now_ms();
  call->headers.push_back(
      {std::string(reqrep::reply_to_header),
       std::string(direct_reply_prefix) + std::to_string(id)});
  call->headers.push_back(
      {std::string(reqrep::correlation_id_header), correlation_id});
  // Table writes of the call name it as their origin (see direct_call.hpp).
  call->headers.push_back({std::string(storage::origin_header),
                           storage::encode_origin({{st.origin_topic, partition},
                                                   static_cast<int64_t>(id)})});
  call->gateway = caf::actor_cast<caf::actor>(self);
  call->id = id;
  call->deadline = std::chrono::steady_clock::now() + timeout;
  return call;
}

/// Hands `call` to `r`'s agent and waits for what becomes of it.
void dispatch(gateway_actor self, const agent_route& r,
              std::shared_ptr<direct_call> call, pending_call pending) {
  auto& st = self->state;
  pending.deadline = call->deadline;
  st.deadlines.add(call->deadline, call->id);
  st.pending.emplace(call->id, std::move(pending));
  self->send(r.dispatcher, batch_atom::value,
             direct_call_batch(std::move(call)));
  arm_timer(self);
}

/// Takes call `req`, answered through `promise`: hands it to the agent,
/// holds it while its partition is recovered here, or refuses it.
void take_call(gateway_actor self, agent_request& req, reply_promise promise) {
  auto& st = self->state;
  auto placed = place(st, req.agent, req.key, req.partition);
  if (placed.refused) {
    promise.deliver(agent_reply{req.correlation_id, std::nullopt,
                                std::move(*placed.refused)});
    return;
  }
  if (placed.recovering) {
    models::topic_partition tp{placed.route->topic, placed.partition};
    if (st.held.size() >= max_held_calls) {
      promise.deliver(failure(req, errc::retry,
                              "worker '" + st.who.worker_id + "' holds " +
                                  std::to_string(st.held.size()) +
                                  " calls for partitions it is recovering, "
                                  "its bound"));
      return;
    }
    auto now = std::chrono::steady_clock::now();
    auto hold = std::min(max_hold, std::chrono::milliseconds{std::max<int64_t>(
                                       req.timeout_ms / 2, 1)});
    auto id = st.next_id++;
    st.held.emplace(id,
                    held_call{std::move(req), promise, tp, now, now + hold});
    st.deadlines.add(now + hold, id);
    arm_timer(self);
    return;
  }
  auto& r = *placed.route;
  auto partition = placed.partition;
  if (st.pending.size() >= max_calls_in_flight) {
    promise.deliver(failure(req, errc::retry,
                            "worker '" + st.who.worker_id + "' has " +
                                std::to_string(st.pending.size()) +
                                " direct calls in flight, its bound"));
    return;
  }
  auto call = make_call(self, r, partition, req.correlation_id, req.timeout_ms);
  if (req.key)
    call->key = std::move(*req.key);
  if (req.value)
    call->value = std::move(*req.value);
  dispatch(self, r, std::move(call),
           pending_call{promise, req.correlation_id, req.agent, {}, {}});
}

/// Serves `req`, a call made in this process, if this worker owns its
/// partition, has recovered it and has room; hands it to the router
/// otherwise (nothing ran).
void take_local_call(gateway_actor self, direct_request& req) {
  auto& st = self->state;
  auto placed = place(st, req.agent, req.key, req.partition);
  if (placed.refused || placed.recovering ||
      st.pending.size() >= max_calls_in_flight) {
    hand_to_router(self, std::move(req));
    return;
  }
  auto& r = *placed.route;
  auto call = make_call(self, r, placed.partition, req.correlation_id,
                        req.timeout.count());
  if (req.key)
    call->key = *req.key;
  if (req.value)
    call->value = *req.value;
  call->local_waiter = req.waiter;
  req.partition = placed.partition;
  pending_call pending{{}, req.correlation_id, req.agent, {}, std::move(req)};
  dispatch(self, r, std::move(call), std::move(pending));
}

caf::result<agent_reply> serve(gateway_actor self, agent_request& req) {
  auto promise = self->make_response_promise<agent_reply>();
  take_call(self, req, promise);
  return promise;
}

/// The partitions changed: held calls whose partition is ready now are
/// served, those whose partition went elsewhere are refused (nothing ran).
void release_held(gateway_actor self) {
  auto& st = self->state;
  for (auto it = st.held.begin(); it != st.held.end();) {
    auto& h = it->second;
    if (st.recovering.count(h.tp)) {
      ++it;
      continue;
    }
    auto call = std::move(h);
    st.deadlines.remove(call.until, it->first);
    it = st.held.erase(it);
    // What is left of its time.
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - call.arrived);
    call.req.timeout_ms -= waited.count();
    if (call.req.timeout_ms <= 0) {
      call.promise.deliver(failure(
          call.req, errc::timeout,
          "no reply within the call's timeout on worker '" + st.who.worker_id +
              "' (its partition was being recovered)"));
      continue;
    }
    take_call(self, call.req, call.promise);
  }
}

/// Direct casts: checked once per message, one batch per partition, in
/// arrival order.
void take_casts(gateway_actor self, protocol::agent_casts& in) {
  auto& st = self->state;
  // Refused as a whole (no such agent, no lease, stopping): all dropped.
  auto route = st.routes.find(in.agent);
  if (route == st.routes.end() || serves_nothing(st)) {
    st.casts_dropped += in.count;
    return;
  }
  auto& r = route->second;
  if (r.partitions <= 0) {
    st.casts_dropped += in.count;
    return;
  }
  // The records view the packed casts (one string for the whole message;
  // small keys and values are copied, cheaper than sharing), and each
  // partition's records are one block: two allocations per partition, not
  // one per cast. First the partition of each cast, then the records.
  auto packed = std::make_shared<const std::string>(std::move(in.packed));
  auto partitions = static_cast<size_t>(r.partitions);
  std::vector<int8_t> served(partitions, -1);
  std::vector<uint32_t> counts(partitions, 0);
  std::vector<int32_t> partition_of;
  partition_of.reserve(in.count);
  size_t dropped = 0;
  auto place = [&](int32_t partition, const std::string_view* key,
                   const std::string_view*) {
    if (partition < 0 && key)
      partition = transport::partition_for_key(*key, r.partitions);
    if (partition >= 0 && partition < r.partitions) {
      auto p = static_cast<size_t>(partition);
      if (served[p] < 0)
        served[p] = st.ready.count({r.topic, partition}) ? 1 : 0;
      if (!served[p])
        partition = -1;
    } else {
      partition = -1;
    }
    if (partition < 0)
      ++dropped;
    else
      ++counts[static_cast<size_t>(partition)];
    partition_of.push_back(partition);
  };
  bool whole = protocol::agent_casts::each(*packed, in.count, place);
  if (!whole)
    faust::log().warn("cluster gateway: direct casts to agent '{}' are "
                      "malformed (not from a faust-cpp router?); the rest "
                      "dropped",
                      in.agent);
  std::vector<std::shared_ptr<std::vector<models::message>>> blocks(partitions);
  for (size_t p = 0; p < partitions; ++p)
    if (counts[p] > 0) {
      blocks[p] = std::make_shared<std::vector<models::message>>();
      blocks[p]->reserve(counts[p]);
    }
  auto now = now_ms();
  auto bytes_of = [&](std::string_view b) {
    constexpr size_t copied = 15; // what a std::string holds inline
    return b.size() <= copied ? models::bytes(std::string(b))
                              : models::bytes(b, packed);
  };
  size_t i = 0;
  auto fill = [&](int32_t, const std::string_view* key,
                  const std::string_view* value) {
    auto partition = partition_of[i++];
    if (partition < 0)
      return;
    auto& m = blocks[static_cast<size_t>(partition)]->emplace_back();
    m.topic = r.topic;
    m.partition = partition;
    // Its number is its origin's offset (see direct_call.hpp).
    m.offset = direct_cast_offset - static_cast<int64_t>(st.next_id++);
    m.timestamp_ms = now;
    if (key)
      m.key = bytes_of(*key);
    if (value)
      m.value = bytes_of(*value);
  };
  // The casts read before a malformed one (as `place` saw them).
  protocol::agent_casts::each(*packed,
                              static_cast<uint32_t>(partition_of.size()), fill);
  for (size_t p = 0; p < partitions; ++p) {
    if (!blocks[p])
      continue;
    auto b = std::make_shared<record_batch>();
    b->tp_id = direct_tp_flag;
    b->tp = {r.topic, static_cast<int32_t>(p)};
    b->records.reserve(blocks[p]->size());
    for (auto& m : *blocks[p])
      b->records.push_back(&m);
    b->owners.push_back(std::move(blocks[p]));
    self->send(r.dispatcher, batch_atom::value, batch_ptr{std::move(b)});
  }
  if (dropped > 0) {
    st.casts_dropped += dropped;
    faust::log().debug("cluster gateway: {} direct casts dropped (not served "
                       "here now; {} in all)",
                       dropped, st.casts_dropped);
  }
}

} // namespace

gateway_local_api spawn_gateway(caf::actor_system& sys,
                                std::shared_ptr<app_core> core,
                                cluster_identity who) {
  return sys.spawn(
      [](gateway_actor self, std::shared_ptr<app_core> core,
         cluster_identity who) -> gateway_local_api::behavior_type {
        auto& st = self->state;
        st.core = std::move(core);
        st.who = std::move(who);
        st.origin_topic = "__direct-" + st.who.incarnation;
        supervision::name_failures(self, "the cluster gateway");
        return {
            [self](whois_atom) {
              auto& who = self->state.who;
              return caf::make_result(who.worker_id, who.incarnation);
            },
            [self](agent_request& req) { return serve(self, req); },
            [self](local_call_atom, direct_request& req) {
              take_local_call(self, req);
            },
            [self](protocol::agent_casts& casts) { take_casts(self, casts); },
            [self](const protocol::table_read_request& req) {
              return read_table_here(*self->state.core, req);
            },
            [self](protocol::changelog_push& push) {
              // A worker without tables here (or stopping) drops it: the
              // changelog topic has the records.
              auto& rt = self->state.core->runtime;
              if (rt && rt->table_manager)
                self->send(rt->table_manager, std::move(push));
            },
            [self](owned_atom, std::vector<models::topic_partition>& ready,
                   std::vector<models::topic_partition>& recovering) {
              auto& st = self->state;
              st.ready = {ready.begin(), ready.end()};
              st.recovering = {recovering.begin(), recovering.end()};
              release_held(self);
            },
            [self](routes_atom, agent_routes& routes) {
              self->state.routes = std::move(routes);
            },
            [self](answer_atom, uint64_t id, std::string& reply) {
              finish(self, id, {{}, std::move(reply), std::nullopt});
            },
            [self](unanswered_atom, uint64_t id, bool started) {
              auto& pending = self->state.pending;
              auto it = pending.find(id);
              if (it == pending.end())
                return;
              auto here = "worker '" + self->state.who.worker_id + "'";
              auto now = std::chrono::steady_clock::now();
              // A call made here that did not run (its partition was
              // revoked): the router decides again, with the time left.
              if (!started && it->second.local && now < it->second.deadline) {
                auto req = std::move(*it->second.local);
                req.timeout =
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        it->second.deadline - now);
                self->state.deadlines.remove(it->second.deadline, id);
                pending.erase(it);
                hand_to_router(self, std::move(req));
                return;
              }
              // Dropped by its instance because its time was up: a
              // timeout, not a refusal (the caller must not send it on).
              if (!started && now >= it->second.deadline) {
                finish(self, id,
                       {{},
                        std::nullopt,
                        wire_error{errc::timeout,
                                   "no reply within the call's timeout on " +
                                       here}});
                return;
              }
              auto why =
                  started
                      ? wire_error{errc::agent_crashed,
                                   "agent '" + it->second.agent + "' on " +
                                       here +
                                       " processed the call without a reply "
                                       "(it yielded none, crashed, or lost its "
                                       "partition before its table writes "
                                       "were durable)"}
                      : wire_error{errc::not_owner,
                                   "agent '" + it->second.agent + "' on " +
                                       here +
                                       " did not process the call (its "
                                       "partition was revoked)"};
              finish(self, id, {{}, std::nullopt, std::move(why)});
            },
            [self](timeout_atom, uint64_t timer) { expire_calls(self, timer); },
        };
      },
      std::move(core), std::move(who));
}

} // namespace faust::internal
