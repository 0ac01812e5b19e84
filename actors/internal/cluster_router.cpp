#include "actors/internal/cluster_router.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/cluster_member.hpp"
#include "actors/internal/deadline_timer.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "actors/internal/runtime_handles.hpp"
#include "actors/internal/table_read.hpp"
#include "cluster/cluster_view.hpp"
#include "cluster/standby_placement.hpp"
#include "cluster/table_routes.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"
#include "transport/kafka/partition_reader.hpp"
#include "transport/murmur2.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace faust::internal {

namespace {

using namespace std::chrono_literals;
using protocol::agent_reply;
using protocol::agent_request;

// --- the reader --------------------------------------------------------

struct reader_state {
  std::shared_ptr<app_core> core;
  router_api router;
  std::unique_ptr<transport::kafka::partition_reader> reader;
  models::topic_partition tp;
  int64_t next = 0;
  bool warned = false;
  static inline const char* name = "cluster reader";
};

using reader_actor = cluster_reader_api::stateful_pointer<reader_state>;

/// What was added to the cluster topic since the last read (nothing when
/// the broker does not answer: the view stays as it was).
cluster_records read_more(reader_actor self) {
  auto& st = self->state;
  cluster_records out;
  auto& s = st.core->settings();
  if (!st.reader) {
    auto made = transport::kafka::partition_reader::create(
        {.bootstrap = st.core->bootstrap,
         .client_id = st.core->app_id + "-cluster-view",
         .extra = s.consumer_properties});
    if (!made) {
      if (!std::exchange(st.warned, true))
        faust::log().warn("cluster view: {}", made.error().message);
      return out;
    }
    st.reader = std::move(*made);
  }
  auto timeout =
      std::min<std::chrono::milliseconds>(s.broker_request_timeout, 2s);
  auto marks = st.reader->watermarks(st.tp, timeout);
  if (!marks) {
    if (!std::exchange(st.warned, true))
      faust::log().warn("cluster view: cannot read '{}': {}", st.tp.topic,
                        marks.error().message);
    return out;
  }
  st.next = std::max(st.next, marks->first);
  if (marks->second <= st.next)
    return out;
  auto read = st.reader->read(
      {{st.tp, st.next, marks->second}},
      [&](const models::message& m) {
        if (!m.key)
          return;
        std::optional<std::string> value;
        if (m.value)
          value = std::string(std::string_view(*m.value));
        out.records.emplace_back(std::string(std::string_view(*m.key)),
                                 std::move(value));
      },
      timeout, [&] { return st.core->stop.stopping(); });
  if (!read) {
    if (!std::exchange(st.warned, true))
      faust::log().warn("cluster view: cannot read '{}': {}", st.tp.topic,
                        read.error().message);
    // A read that gave up part-way starts again from where it began.
    out.records.clear();
    return out;
  }
  st.warned = false;
  st.next = marks->second;
  return out;
}

cluster_reader_api spawn_reader(caf::actor_system& sys,
                                std::shared_ptr<app_core> core,
                                router_api router) {
  return sys.spawn<caf::detached>(
      [](reader_actor self, std::shared_ptr<app_core> core,
         router_api router) -> cluster_reader_api::behavior_type {
        auto& st = self->state;
        st.tp = {cluster_topic(core->app_id), 0};
        st.core = std::move(core);
        st.router = std::move(router);
        self->send(self, tick_atom::value);
        return {
            [self](refresh_atom) {
              // Records go the way every read's go, so that none is lost
              // with an answer that comes too late.
              self->send(self->state.router, records_atom::value,
                         read_more(self));
              return true;
            },
            [self](tick_atom) {
              auto more = read_more(self);
              self->send(self->state.router, records_atom::value,
                         std::move(more));
              self->delayed_send(self, 250ms, tick_atom::value);
            },
        };
      },
      std::move(core), std::move(router));
}

// --- the router --------------------------------------------------------

struct call {
  direct_request req;
  /// When the caller stops waiting: resends and the fallback get the rest.
  std::chrono::steady_clock::time_point deadline;
  int32_t partition = -1;
  /// The peer it went to ("host:port", or "" for this worker).
  std::string peer;
  std::string peer_name;
  bool retried = false;
};

/// Casts gathered for one worker, per agent.
struct cast_buffer {
  std::vector<protocol::agent_casts> per_agent;
  size_t size = 0;
  bool empty() const { return size == 0; }
  /// Adds one; returns how many the agent's batch holds now.
  size_t add(const std::string& agent, int32_t partition,
             const std::optional<std::string>& key,
             const std::optional<std::string>& value) {
    protocol::agent_casts* to = nullptr;
    for (auto& b : per_agent)
      if (b.agent == agent)
        to = &b;
    if (!to) {
      per_agent.emplace_back();
      to = &per_agent.back();
      to->agent = agent;
    }
    to->add(partition, key, value);
    ++size;
    return to->count;
  }
};

struct peer {
  gateway_api gateway;
  std::string incarnation;
  bool connecting = false;
  /// Calls waiting for the connection.
  std::vector<uint64_t> waiting;
  /// Calls sent and not answered.
  std::set<uint64_t> in_flight;
  /// Casts not sent yet (gathered, or waiting for the connection).
  cast_buffer casts;
  /// What waits for the connection besides calls (table reads): called
  /// with the gateway, or null if the connection failed.
  std::vector<std::function<void(const gateway_api*)>> on_connected;
};

/// Casts held for one worker at most (a connection that does not come).
constexpr size_t max_held_casts = 100000;
/// Casts sent to one worker in one message at most.
constexpr size_t cast_batch = 1024;

struct router_state {
  std::shared_ptr<app_core> core;
  gateway_api local;
  std::string local_incarnation;
  table_manager_api tables;
  cluster_member_api member;
  /// The standby placement last sent, and the generation it was for.
  std::optional<std::vector<models::topic_partition>> placed;
  int32_t placed_generation = -1;
  cluster_reader_api reader;
  cluster::cluster_view view;
  /// Calls before the view's first read wait for it.
  bool loaded = false;
  std::vector<uint64_t> before_load;
  std::unordered_map<uint64_t, call> calls;
  /// The calls' deadlines (one timer for all).
  deadline_timer deadlines;
  std::map<std::string, peer> peers;
  /// Agents no worker takes direct calls for (they go through Kafka).
  std::set<std::string, std::less<>> kafka_only;
  /// Casts gathered for this worker's own gateway.
  cast_buffer local_casts;
  /// A flush message is on its way to this actor.
  bool flush_armed = false;
  /// Casts taken off the queue and not routed yet (a burst is routed in
  /// parts, so calls and the cluster's messages are not held up).
  cast_queue::chain queued_casts;
  /// A cast message to itself is on its way (the rest of a burst).
  bool casts_armed = false;
  uint64_t casts_dropped = 0;
  /// Casts taken so far (see `runtime_handles::direct_casts_settled`).
  uint64_t casts_taken = 0;
  /// Owners as the view has them, looked up once per partition until the
  /// view changes.
  std::unordered_map<models::topic_partition, const cluster::announcement*>
      owners;
  /// The same for casts, by the app's topic name (a pointer: no string
  /// hashing per cast): partition count, then the owner per partition.
  struct topic_owners {
    int32_t partitions = 0;
    std::vector<const cluster::announcement*> owner;
    /// The owner's peer key (`host:port`; "" for this worker).
    std::vector<std::string> peer_key;
  };
  std::unordered_map<const std::string*, topic_owners> cast_owners;
  /// The workers standing by for each changelog partition, as the view has
  /// them (looked up once per partition until the view changes).
  std::unordered_map<models::topic_partition,
                     std::vector<const cluster::announcement*>>
      standbys;
  /// Changelog pushes not sent: no standby, or its connection not there
  /// (its next read of the changelog topic covers them).
  uint64_t pushes_dropped = 0;
  uint64_t next_id = 1;
  static inline const char* name = "cluster router";

  router_state() = default;
  router_state(const router_state&) = delete;
  router_state& operator=(const router_state&) = delete;
  /// The app stops (or the router failed): no call waits forever.
  ~router_state() {
    for (auto& [id, c] : calls)
      if (c.req.waiter)
        c.req.waiter->on_error(error{
            errc::stopped, "the app stopped before the call was answered"});
  }
};

using router_actor = router_api::stateful_pointer<router_state>;

void route(router_actor self, uint64_t id);
void flush_casts(router_actor self, const std::string& key);
void forget_in_flight(router_actor self, const call& c, uint64_t id);

/// The worker owning `tp` as the view has it (null: none).
const cluster::announcement* owner_of(router_state& st,
                                      const models::topic_partition& tp) {
  auto it = st.owners.find(tp);
  if (it != st.owners.end())
    return it->second;
  auto owner = st.view.owner_of(tp);
  const cluster::announcement* w = owner ? owner->worker : nullptr;
  st.owners.emplace(tp, w);
  return w;
}

void apply_records(router_state& st, cluster_records& more) {
  if (more.records.empty())
    return;
  st.owners.clear(); // the view hands out new pointers
  st.cast_owners.clear();
  st.standbys.clear();
  for (auto& [worker, value] : more.records)
    if (auto applied = st.view.apply(worker, value); !applied)
      faust::log().debug("cluster view: {}", applied.error().message);
}

/// Every cast taken so far has left for this worker's gateway (or went
/// elsewhere): direct calls may go straight to the gateway again.
void settle_casts(router_state& st) {
  st.core->runtime->direct_casts_settled.store(st.casts_taken,
                                               std::memory_order_release);
}

void drop_casts(router_state& st, cast_buffer& casts) {
  st.casts_dropped += casts.size;
  casts = {};
}

void send_casts(router_actor self, const gateway_api& to, cast_buffer& casts) {
  for (auto& b : casts.per_agent)
    self->send(to, std::move(b));
  casts = {};
}

/// The time call `c` has left (0 when out).
std::chrono::milliseconds left_of(const call& c) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      c.deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds{0});
}

/// "(key k, worker 'w' at h:p): " for errors (the caller adds the agent
/// and the correlation id).
std::string what(const call& c) {
  std::string out = c.req.key ? "(key " + *c.req.key
                              : "(partition " + std::to_string(c.partition);
  if (!c.peer_name.empty())
    out += ", " + c.peer_name;
  return out + "): ";
}

/// Takes call `id` out of the router (null: it is gone already).
std::optional<call> take_call(router_state& st, uint64_t id) {
  auto it = st.calls.find(id);
  if (it == st.calls.end())
    return std::nullopt;
  auto c = std::move(it->second);
  st.calls.erase(it);
  st.deadlines.remove(c.deadline, id);
  return c;
}

void fail(router_actor self, uint64_t id, errc code, const std::string& why) {
  auto c = take_call(self->state, id);
  if (!c)
    return;
  if (code == errc::timeout)
    self->state.core->stats.cluster_timeouts.fetch_add(
        1, std::memory_order_relaxed);
  c->req.waiter->on_error(error{code, what(*c) + why});
}

void arm_timer(router_actor self) {
  if (auto t = self->state.deadlines.rearm())
    self->delayed_send(self, t->delay, timeout_atom::value, t->number);
}

/// Timer `number` fired: every call past its deadline fails (its answer,
/// if one comes, is dropped, and nothing is sent again).
void expire_calls(router_actor self, uint64_t number) {
  auto& st = self->state;
  for (auto id : st.deadlines.fired(number)) {
    auto it = st.calls.find(id);
    if (it == st.calls.end())
      continue;
    forget_in_flight(self, it->second, id);
    fail(self, id, errc::timeout,
         "got no reply within " +
             std::to_string(it->second.req.timeout.count()) +
             " ms (it may have run; not sent again)");
  }
  arm_timer(self);
}

/// The call did not run: through Kafka, unless it must go directly.
void fall_back(router_actor self, uint64_t id, const std::string& why) {
  auto& calls = self->state.calls;
  auto it = calls.find(id);
  if (it == calls.end())
    return;
  if (it->second.req.via == call_path::cluster ||
      !it->second.req.through_kafka) {
    fail(self, id, errc::not_owner, "no direct route: " + why);
    return;
  }
  auto c = std::move(*take_call(self->state, id));
  self->state.core->stats.cluster_fallback_calls.fetch_add(
      1, std::memory_order_relaxed);
  faust::log().debug("ask to agent '{}' {}goes through Kafka: {}", c.req.agent,
                     what(c), why);
  c.req.through_kafka(left_of(c));
}

void forget_in_flight(router_actor self, const call& c, uint64_t id) {
  if (c.peer.empty())
    return;
  if (auto p = self->state.peers.find(c.peer); p != self->state.peers.end())
    p->second.in_flight.erase(id);
}

void on_reply(router_actor self, uint64_t id, agent_reply& reply) {
  auto& st = self->state;
  auto it = st.calls.find(id);
  if (it == st.calls.end())
    return; // failed already (its peer went down)
  forget_in_flight(self, it->second, id);
  if (reply.value) {
    auto c = take_call(st, id);
    complete_reply(*reply.value, *c->req.waiter);
    return;
  }
  auto why = reply.failure ? reply.failure->to_error()
                           : error{errc::runtime_failure, "an empty reply"};
  auto& c = it->second;
  switch (why.code) {
  case errc::not_owner:
    st.core->stats.cluster_not_owner.fetch_add(1, std::memory_order_relaxed);
    if (!c.retried) {
      // The view is behind: read what was announced since, then once more.
      c.retried = true;
      st.core->stats.cluster_retries.fetch_add(1, std::memory_order_relaxed);
      self->request(st.reader, 5s, refresh_atom::value)
          .then(
              // The records came before this answer (records_atom).
              [self, id](bool) { route(self, id); },
              [self, id, why](caf::error&) {
                fall_back(self, id, why.message);
              });
      return;
    }
    fall_back(self, id, why.message);
    return;
  case errc::invalid_argument:
    // This agent takes no direct calls there (a group_by agent, another
    // build): nothing ran.
    st.kafka_only.insert(c.req.agent);
    fall_back(self, id, why.message);
    return;
  case errc::retry:
    fall_back(self, id, why.message);
    return;
  default:
    fail(self, id, why.code, why.message);
  }
}

void send_to(router_actor self, uint64_t id, const gateway_api& gateway) {
  auto& c = self->state.calls.at(id);
  auto left = left_of(c);
  if (left.count() <= 0) {
    fail(self, id, errc::timeout,
         "got no reply within " + std::to_string(c.req.timeout.count()) +
             " ms (not sent)");
    return;
  }
  agent_request req{
      c.req.agent,          c.req.key,     c.req.value, c.partition,
      c.req.correlation_id, std::string{}, left.count()};
  self->state.core->stats.cluster_direct_calls.fetch_add(
      1, std::memory_order_relaxed);
  // This worker's gateway answers every call by its deadline, and the
  // router's own timer fails it then anyway: no clock operation per call.
  // A peer's connection may go quiet: CAF drops the request at the
  // deadline.
  auto within = c.peer.empty() ? caf::infinite : caf::duration{left};
  self->request(gateway, within, std::move(req))
      .then([self, id](agent_reply& reply) { on_reply(self, id, reply); },
            [self, id](caf::error& err) {
              auto& st = self->state;
              auto it = st.calls.find(id);
              if (it == st.calls.end())
                return;
              forget_in_flight(self, it->second, id);
              auto peer = it->second.peer_name.empty()
                              ? std::string("the worker")
                              : it->second.peer_name;
              if (err == caf::sec::request_timeout)
                fail(self, id, errc::timeout,
                     "got no reply within " +
                         std::to_string(it->second.req.timeout.count()) +
                         " ms (it may have run; not sent again)");
              else if (err == caf::sec::request_receiver_down)
                fall_back(self, id, peer + " is gone");
              else
                fail(self, id, errc::runtime_failure,
                     peer + " failed the call: " + supervision::describe(err));
            });
}

void send_to_peer(router_actor self, uint64_t id, peer& p,
                  const std::string& key) {
  flush_casts(self, key); // casts sent before the call arrive before it
  p.in_flight.insert(id);
  auto& c = self->state.calls.at(id);
  c.peer = key;
  send_to(self, id, p.gateway);
}

void connect(
    router_actor self, const std::string& key, const std::string& host,
    uint16_t port,
    std::chrono::milliseconds bound = std::chrono::milliseconds::max()) {
  auto& st = self->state;
  auto& p = st.peers[key];
  p.connecting = true;
  auto mm = cluster_connector(self->home_system());
  // No longer than the call that asked for it has left.
  auto timeout = std::min(st.core->settings().cluster_connection_timeout,
                          std::max(bound, std::chrono::milliseconds{1}));
  self->request(mm, caf::timespan{timeout}, caf::connect_atom::value, host,
                port)
      .then(
          [self, key](const caf::node_id&, caf::strong_actor_ptr& ptr,
                      const std::set<std::string>&) {
            auto& st = self->state;
            auto it = st.peers.find(key);
            if (it == st.peers.end())
              return;
            auto& p = it->second;
            p.connecting = false;
            auto waiting = std::exchange(p.waiting, {});
            auto others = std::exchange(p.on_connected, {});
            if (!ptr) {
              drop_casts(st, p.casts);
              st.peers.erase(it);
              for (auto id : waiting)
                fall_back(self, id, "nothing published at " + key);
              for (auto& f : others)
                f(nullptr);
              return;
            }
            p.gateway = caf::actor_cast<gateway_api>(std::move(ptr));
            self->monitor(p.gateway);
            for (auto& f : others)
              f(&p.gateway);
            flush_casts(self, key);
            for (auto id : waiting)
              if (st.calls.count(id))
                send_to_peer(self, id, st.peers.at(key), key);
          },
          [self, key](caf::error& err) {
            auto& st = self->state;
            auto it = st.peers.find(key);
            if (it == st.peers.end())
              return;
            auto waiting = std::move(it->second.waiting);
            auto others = std::move(it->second.on_connected);
            drop_casts(st, it->second.casts);
            st.peers.erase(it);
            for (auto id : waiting)
              fall_back(self, id,
                        "cannot connect to " + key + " (" +
                            supervision::describe(err) + ")");
            for (auto& f : others)
              f(nullptr);
          });
}

/// A peer's key in `peers`: its endpoint, `host:port`.
std::string peer_key_of(const cluster::announcement& w) {
  return w.host + ":" + std::to_string(w.port);
}

/// Sends what is gathered for the worker at `key` ("" : this one).
void flush_casts(router_actor self, const std::string& key) {
  auto& st = self->state;
  if (key.empty()) {
    if (!st.local_casts.empty())
      send_casts(self, st.local, st.local_casts);
    settle_casts(st);
    return;
  }
  auto p = st.peers.find(key);
  if (p == st.peers.end() || p->second.casts.empty())
    return;
  if (p->second.connecting || !p->second.gateway) {
    if (p->second.casts.size > max_held_casts)
      drop_casts(st, p->second.casts);
    return;
  }
  send_casts(self, p->second.gateway, p->second.casts);
}

void take_cast(router_actor self, direct_cast& c) {
  auto& st = self->state;
  auto it = st.cast_owners.find(c.topic);
  if (it == st.cast_owners.end()) {
    router_state::topic_owners t;
    t.partitions = st.core->partitions_of(*c.topic);
    for (int32_t p = 0; p < t.partitions; ++p) {
      auto* w = owner_of(st, {*c.topic, p});
      t.owner.push_back(w);
      t.peer_key.push_back(
          !w || (st.local && w->incarnation == st.local_incarnation)
              ? std::string{}
              : peer_key_of(*w));
    }
    it = st.cast_owners.emplace(c.topic, std::move(t)).first;
  }
  auto& topic = it->second;
  int32_t partition = c.partition;
  if (partition < 0 && c.key && topic.partitions > 0)
    partition = transport::partition_for_key(*c.key, topic.partitions);
  if (partition < 0 || partition >= topic.partitions) {
    ++st.casts_dropped;
    return;
  }
  auto* w = topic.owner[static_cast<size_t>(partition)];
  if (!w) {
    ++st.casts_dropped;
    return;
  }
  const auto& key = topic.peer_key[static_cast<size_t>(partition)];
  cast_buffer* buffer = nullptr;
  if (key.empty()) {
    buffer = &st.local_casts;
  } else {
    auto p = st.peers.find(key);
    if (p == st.peers.end()) {
      st.peers[key].incarnation = w->incarnation;
      connect(self, key, w->host, w->port);
      p = st.peers.find(key);
    }
    buffer = &p->second.casts;
  }
  if (buffer->add(*c.agent, partition, c.key, c.value) >= cast_batch) {
    flush_casts(self, key);
  } else if (!st.flush_armed) {
    // After what is queued now: casts arriving meanwhile go together.
    st.flush_armed = true;
    self->send(self, flush_atom::value);
  }
}

/// The tables the router views describe: `only`, or every one for "".
std::vector<cluster::table_route> table_routes_of(const app_core& core,
                                                  const std::string& only) {
  std::vector<cluster::table_route> out;
  for (auto& t : core.tables)
    if (only.empty() || t->name == only)
      out.push_back({t->name, t->changelog_topic, t->partitions});
  return out;
}

/// A topic's partition count as the routes count it (a reply topic is no
/// table's stream).
std::function<int32_t(const std::string&)>
route_partitions(const app_core& core) {
  return [&core](const std::string& topic) {
    return core.stream_partitions(topic);
  };
}

/// How long a table read forwarded to another worker may take.
constexpr std::chrono::seconds table_read_timeout{4};

protocol::table_read_reply read_failure(errc code, std::string why) {
  protocol::table_read_reply out;
  out.failure = protocol::wire_error{code, std::move(why)};
  return out;
}

/// A table read for the web views (Faust's `table_route`): answered here
/// when this worker owns the partition, else by the owner's gateway over
/// CAF; with `allow_stale` and no owner known, by a standby (here, or the
/// first the view lists).
caf::result<protocol::table_read_reply>
read_table(router_actor self, protocol::table_read_request req) {
  auto& st = self->state;
  auto routes = table_routes_of(*st.core, req.table);
  if (routes.empty())
    return read_failure(errc::invalid_argument, "no table '" + req.table + "'");
  auto& table = routes.front();
  auto where =
      table.changelog_topic + "[" + std::to_string(req.partition) + "]";
  auto members = st.view.members();
  const cluster::announcement* target = cluster::owner_of_table_partition(
      members, table, req.partition, route_partitions(*st.core));
  if (!target && req.allow_stale) {
    auto standbys = st.view.standbys_of({table.changelog_topic, req.partition});
    for (auto* s : standbys)
      if (st.local && s->incarnation == st.local_incarnation)
        target = s; // this worker's own standby first: no hop
    if (!target && !standbys.empty())
      target = standbys.front();
  }
  if (!target)
    return read_failure(errc::not_owner,
                        "no worker serves " + where +
                            (req.allow_stale ? " now (no owner, no standby)"
                                             : " now (add ?stale=1 to read "
                                               "a standby)"));
  if (st.local && target->incarnation == st.local_incarnation)
    return read_table_here(*st.core, req);
  auto key = peer_key_of(*target);
  auto promise = self->make_response_promise<protocol::table_read_reply>();
  auto ask = [self, promise, req, key](const gateway_api* gateway) mutable {
    if (!gateway) {
      promise.deliver(read_failure(errc::not_owner,
                                   "cannot connect to the worker at " + key));
      return;
    }
    self->request(*gateway, caf::timespan{table_read_timeout}, req)
        .then(
            [promise](protocol::table_read_reply& r) mutable {
              promise.deliver(std::move(r));
            },
            [promise, key](caf::error& err) mutable {
              promise.deliver(read_failure(
                  errc::timeout, "the worker at " + key + " did not answer (" +
                                     supervision::describe(err) + ")"));
            });
  };
  auto p = st.peers.find(key);
  if (p != st.peers.end() && p->second.gateway && !p->second.connecting) {
    ask(&p->second.gateway);
    return promise;
  }
  if (p == st.peers.end()) {
    st.peers[key].incarnation = target->incarnation;
    st.peers[key].on_connected.push_back(std::move(ask));
    connect(self, key, target->host, target->port);
  } else {
    p->second.on_connected.push_back(std::move(ask));
  }
  return promise;
}

/// Casts routed per message at most (the rest go in the next one).
constexpr size_t casts_per_turn = 4096;

/// Routes the casts callers queued, oldest first: at most `budget` of
/// them (0: all; a call routes every cast sent before it first).
void take_queued_casts(router_actor self, size_t budget) {
  auto& st = self->state;
  auto& queue = st.core->runtime->direct_casts;
  auto dropped_before = st.casts_dropped;
  size_t n = 0;
  for (; budget == 0 || n < budget; ++n) {
    if (st.queued_casts.empty()) {
      st.queued_casts = queue.take_all();
      if (st.queued_casts.empty())
        break;
    }
    take_cast(self, st.queued_casts.front());
    st.queued_casts.pop();
    ++st.casts_taken;
  }
  // Counted once per turn, not per cast.
  auto dropped = st.casts_dropped - dropped_before;
  if (n > dropped)
    st.core->stats.cluster_direct_calls.fetch_add(n - dropped,
                                                  std::memory_order_relaxed);
  // What a caller queues from now on comes with its own wake.
  if (!st.queued_casts.empty() && !st.casts_armed) {
    st.casts_armed = true;
    self->send(self, cast_atom::value);
  }
  if (st.local_casts.empty())
    settle_casts(st);
}

/// Sends call `id` to the owner of its partition, as the view has it.
void route(router_actor self, uint64_t id) {
  auto& st = self->state;
  auto it = st.calls.find(id);
  if (it == st.calls.end())
    return;
  auto& c = it->second;
  if (st.kafka_only.count(c.req.agent)) {
    fall_back(self, id, "agent '" + c.req.agent + "' takes no direct calls");
    return;
  }
  c.partition = c.req.partition;
  if (c.partition < 0) {
    auto partitions = st.core->partitions_of(c.req.topic);
    if (!c.req.key || partitions <= 0) {
      fall_back(self, id,
                c.req.key ? "topic '" + c.req.topic + "' is not known here"
                          : "no key");
      return;
    }
    c.partition = transport::partition_for_key(*c.req.key, partitions);
  }
  auto* owner = owner_of(st, {c.req.topic, c.partition});
  if (!owner) {
    fall_back(self, id,
              "no worker announces " + c.req.topic + "[" +
                  std::to_string(c.partition) + "]");
    return;
  }
  auto& w = *owner;
  if (st.local && w.incarnation == st.local_incarnation) {
    c.peer.clear();
    c.peer_name = "this worker";
    flush_casts(self, ""); // casts sent before the call arrive before it
    send_to(self, id, st.local);
    return;
  }
  auto key = peer_key_of(w);
  c.peer_name = "worker '" + w.worker_id + "' at " + key;
  auto p = st.peers.find(key);
  if (p != st.peers.end() && p->second.incarnation != w.incarnation &&
      !p->second.connecting) {
    // Another process listens there now.
    if (p->second.gateway)
      self->demonitor(p->second.gateway.address());
    auto in_flight = std::move(p->second.in_flight);
    drop_casts(st, p->second.casts);
    st.peers.erase(p);
    for (auto other : in_flight)
      fail(self, other, errc::runtime_failure,
           "the worker at " + key + " restarted before it replied");
    p = st.peers.end();
  }
  if (p == st.peers.end()) {
    st.peers[key].incarnation = w.incarnation;
    st.peers[key].waiting.push_back(id);
    connect(self, key, w.host, w.port, left_of(c));
    return;
  }
  if (p->second.connecting) {
    p->second.waiting.push_back(id);
    return;
  }
  send_to_peer(self, id, p->second, key);
}

/// This worker's standby placement from the view's members (their Kafka
/// member ids, as the range assignor sorts them): sent to the table manager
/// and the member when it changes, or when the generation does (a handover
/// leaves a standby that may now be placed elsewhere).
void place_standbys(router_actor self) {
  auto& st = self->state;
  auto replicas = st.core->settings().table_standby_replicas;
  if (!st.local || !st.tables || replicas <= 0)
    return;
  std::vector<std::string> ids;
  const cluster::announcement* me = nullptr;
  for (auto* m : st.view.members()) {
    if (m->member_id.empty())
      continue;
    ids.push_back(m->member_id);
    if (m->incarnation == st.local_incarnation)
      me = m;
  }
  if (!me)
    return; // not a member of the newest generation (yet)
  std::vector<models::topic_partition> placed;
  for (auto& table : st.core->tables)
    for (auto p : cluster::standby_partitions_of(ids, me->member_id,
                                                 table->partitions, replicas))
      placed.push_back({table->changelog_topic, p});
  if (st.placed == placed && st.placed_generation == st.view.generation())
    return;
  st.placed = placed;
  st.placed_generation = st.view.generation();
  self->send(st.tables, standbys_atom::value, placed);
  if (st.member)
    self->send(st.member, standbys_atom::value, std::move(placed));
}

/// Sends a delivered changelog batch of this worker's to the workers that
/// announce they stand by for its partition (at most once: one that is
/// not connected yet misses it and reads the topic).
void push_to_standbys(router_actor self, protocol::changelog_push& push) {
  auto& st = self->state;
  models::topic_partition tp{push.topic, push.partition};
  auto it = st.standbys.find(tp);
  if (it == st.standbys.end())
    it = st.standbys.emplace(tp, st.view.standbys_of(tp)).first;
  push.from = st.local_incarnation;
  size_t left = it->second.size();
  for (auto* w : it->second) {
    --left;
    if (w->incarnation == st.local_incarnation)
      continue;
    auto key = peer_key_of(*w);
    auto p = st.peers.find(key);
    if (p == st.peers.end()) {
      st.peers[key].incarnation = w->incarnation;
      connect(self, key, w->host, w->port);
      ++st.pushes_dropped;
      continue;
    }
    if (p->second.connecting || !p->second.gateway) {
      ++st.pushes_dropped;
      continue;
    }
    if (left == 0)
      self->send(p->second.gateway, std::move(push));
    else
      self->send(p->second.gateway, push);
  }
}

/// Whether other workers stand by for this worker's table partitions (so
/// its write sides keep their changelog records to push).
void update_push_interest(router_state& st) {
  if (!st.local || !st.tables)
    return;
  auto& settings = st.core->settings();
  bool others = false;
  if (settings.table_standby_push && settings.table_standby_replicas > 0)
    for (auto* m : st.view.members())
      others |= m->incarnation != st.local_incarnation && !m->standby.empty();
  st.core->standbys_take_pushes.store(others, std::memory_order_relaxed);
}

void on_records(router_actor self, cluster_records& more) {
  auto& st = self->state;
  bool changed = !more.records.empty();
  apply_records(st, more);
  if (changed) {
    place_standbys(self);
    update_push_interest(st);
  }
  if (!st.loaded) {
    st.loaded = true;
    for (auto id : std::exchange(st.before_load, {}))
      route(self, id);
  }
}

} // namespace

router_api spawn_router(caf::actor_system& sys, std::shared_ptr<app_core> core,
                        router_locals locals) {
  return sys.spawn(
      [](router_actor self, std::shared_ptr<app_core> core,
         router_locals locals) -> router_api::behavior_type {
        auto& st = self->state;
        st.core = std::move(core);
        st.local = std::move(locals.gateway);
        st.local_incarnation = std::move(locals.incarnation);
        st.tables = std::move(locals.tables);
        st.member = std::move(locals.member);
        st.reader = spawn_reader(self->home_system(), st.core,
                                 caf::actor_cast<router_api>(self));
        self->link_to(st.reader);
        supervision::name_failures(self, "the cluster router");
        // Casts queued before this router ran (none woke it) go out too.
        self->state.casts_armed = true;
        self->send(self, cast_atom::value);
        self->set_down_handler([self](caf::down_msg& dm) {
          auto& st = self->state;
          for (auto it = st.peers.begin(); it != st.peers.end(); ++it) {
            if (!it->second.gateway ||
                it->second.gateway.address() != dm.source)
              continue;
            auto key = it->first;
            auto in_flight = std::move(it->second.in_flight);
            drop_casts(st, it->second.casts);
            st.peers.erase(it);
            for (auto id : in_flight)
              fail(self, id, errc::runtime_failure,
                   "the worker at " + key +
                       " went down before it replied (it may have run the "
                       "call; not sent again)");
            return;
          }
        });
        return {
            [self](call_atom, direct_request& req) {
              auto& st = self->state;
              take_queued_casts(self, 0); // sent before it: routed first
              auto id = st.next_id++;
              auto deadline = std::chrono::steady_clock::now() + req.timeout;
              st.calls.emplace(
                  id, call{std::move(req), deadline, -1, {}, {}, false});
              st.deadlines.add(deadline, id);
              arm_timer(self);
              if (!st.loaded) {
                st.before_load.push_back(id);
                return;
              }
              route(self, id);
            },
            [self](records_atom, cluster_records& more) {
              on_records(self, more);
            },
            [self](timeout_atom, uint64_t timer) { expire_calls(self, timer); },
            [self](protocol::changelog_push& push) {
              push_to_standbys(self, push);
            },
            [self](cast_atom) {
              self->state.casts_armed = false;
              take_queued_casts(self, casts_per_turn);
            },
            [self](web_atom, const std::string& table) {
              auto& st = self->state;
              return cluster::table_routes_json(
                  st.view.members(), table_routes_of(*st.core, table),
                  route_partitions(*st.core));
            },
            [self](web_atom, protocol::table_read_request& req) {
              return read_table(self, std::move(req));
            },
            [self](web_atom, const std::string& table, int32_t partition) {
              auto& st = self->state;
              auto routes = table_routes_of(*st.core, table);
              if (routes.empty())
                return std::string{};
              auto* owner = cluster::owner_of_table_partition(
                  st.view.members(), routes.front(), partition,
                  route_partitions(*st.core));
              return owner ? owner->web_url : std::string{};
            },
            [self](flush_atom) {
              auto& st = self->state;
              st.flush_armed = false;
              flush_casts(self, "");
              for (auto& [key, p] : st.peers)
                if (!p.casts.empty())
                  flush_casts(self, key);
            },
        };
      },
      std::move(core), std::move(locals));
}

} // namespace faust::internal

namespace faust::internal {

// --- core_access.hpp ------------------------------------------------------

namespace {

/// The router, if this app makes direct calls now (a running Kafka app, not
/// exactly_once: a request sent while processing an event belongs to its
/// transaction).
const router_api* direct_router(const app_core& core) {
  if (!core.running.load() || !core.runtime || !core.runtime->router ||
      core.transactions)
    return nullptr;
  return &core.runtime->router;
}

} // namespace

bool call_directly(app_core& core, direct_request req) {
  auto* router = direct_router(core);
  if (!router)
    return false;
  // A worker's own gateway serves the partitions it owns without the
  // router (two messages fewer each way) and hands it the rest; unless a
  // cast sent earlier still waits in the router (it must arrive first).
  // Settled is read first: a count it includes is in `sent` too.
  auto& rt = *core.runtime;
  auto settled = rt.direct_casts_settled.load(std::memory_order_acquire);
  if (rt.gateway &&
      settled == rt.direct_casts_sent.load(std::memory_order_acquire)) {
    core.stats.cluster_direct_calls.fetch_add(1, std::memory_order_relaxed);
    caf::anon_send(rt.gateway, local_call_atom::value, std::move(req));
    return true;
  }
  caf::anon_send(*router, call_atom::value, std::move(req));
  return true;
}

bool cast_directly(app_core& core, direct_cast c) {
  auto* router = direct_router(core);
  if (!router)
    return false;
  auto& rt = *core.runtime;
  rt.direct_casts_sent.fetch_add(1, std::memory_order_relaxed);
  if (rt.direct_casts.push(std::move(c)))
    caf::anon_send(*router, cast_atom::value);
  return true;
}

} // namespace faust::internal
