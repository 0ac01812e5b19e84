// The cluster gateway's protocol for direct calls, driven step by step on
// CAF's deterministic test coordinator: which requests reach the agent's
// dispatcher and what each caller is answered (the reply, `not_owner` when
// the call did not run, an error when it may have).
#include "actors/internal/app_core.hpp"
#include "actors/internal/cluster_gateway.hpp"
#include "actors/internal/runtime_handles.hpp"
#include "models/reqrep.hpp"
#include "models/value_reader.hpp"
#include "storage/origin.hpp"
#include "transport/murmur2.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

using namespace faust::internal;
using faust::errc;
using faust::protocol::agent_reply;
using faust::protocol::agent_request;
using namespace std::chrono_literals;

namespace {

using batches = std::shared_ptr<std::vector<batch_ptr>>;
using replies = std::shared_ptr<std::vector<agent_reply>>;

/// A stand-in for an agent's dispatcher: keeps the batches it is given.
caf::behavior fake_dispatcher(caf::event_based_actor*, batches got) {
  return {
      [got](batch_atom, const batch_ptr& b) { got->push_back(b); },
      [](assigned_atom, const assignment&) {},
      [](revoked_atom, const assignment&) {},
      [](drain_atom, const assignment&) { return true; },
  };
}

/// A caller: sends each request it is given to the gateway and keeps the
/// answers.
caf::behavior caller(caf::event_based_actor* self, gateway_api gateway,
                     replies got) {
  return {[=](agent_request& req) {
    self->request(gateway, caf::infinite, std::move(req))
        .then([got](agent_reply& r) { got->push_back(std::move(r)); });
  }};
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct deterministic {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::shared_ptr<app_core> core;
  batches dispatched = std::make_shared<std::vector<batch_ptr>>();
  replies answered = std::make_shared<std::vector<agent_reply>>();
  gateway_local_api gateway;
  caf::actor dispatcher;
  caf::actor client;

  deterministic() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    faust::app_settings s;
    s.id = "gw";
    s.broker = "kafka://127.0.0.1:1"; // never contacted
    core = std::make_shared<app_core>(s);
    core->lease_stamp_ns = now_ns(); // the worker is live
    gateway = spawn_gateway(*sys, core, {"w1", "127.0.0.1", 4000, "inc-1"});
    dispatcher = sys->spawn(fake_dispatcher, dispatched);
    client =
        sys->spawn(caller, caf::actor_cast<gateway_api>(gateway), answered);
    sched->run();
    agent_routes routes;
    routes["count"] = {caf::actor_cast<subscriber_api>(dispatcher), "requests",
                       4};
    send(gateway, routes_atom::value, std::move(routes));
  }
  ~deterministic() {
    dispatched->clear(); // their calls tell the gateway, which is ending
    for (auto& a : {caf::actor_cast<caf::actor>(gateway), dispatcher, client})
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched->run();
    while (sched->trigger_timeout())
      sched->run();
  }
  template <class Handle, class... Ts> void send(const Handle& to, Ts&&... xs) {
    caf::anon_send(to, std::forward<Ts>(xs)...);
    sched->run();
  }
  void own(std::vector<faust::models::topic_partition> tps,
           std::vector<faust::models::topic_partition> recovering = {}) {
    send(gateway, owned_atom::value, std::move(tps), std::move(recovering));
  }
  void ask(std::string agent, std::string key, std::string id,
           int64_t timeout_ms = 1000) {
    agent_request r;
    r.agent = std::move(agent);
    r.key = std::move(key);
    r.value = std::string("41");
    r.correlation_id = std::move(id);
    r.timeout_ms = timeout_ms;
    send(client, std::move(r));
  }
  /// `call` is answered with `value`: the caller gets it as the reply to
  /// `id` (the first answer).
  void answer_and_expect(const direct_call* call, const std::string& id,
                         const std::string& value) {
    call->mark_started();
    call->answer(value);
    sched->run();
    REQUIRE(answered->size() == 1);
    CHECK(answered->back().correlation_id == id);
    CHECK(answered->back().value == std::optional<std::string>(value));
  }
  /// Fires the next timer and runs what it sets off.
  void fire_timer() {
    REQUIRE(sched->trigger_timeout());
    sched->run();
  }
  /// The `n`th answer is the last, for call `id`, failed with `code`.
  void expect_failure(size_t n, const std::string& id, errc code) {
    REQUIRE(answered->size() == n);
    CHECK(answered->back().correlation_id == id);
    CHECK(last_failure() == code);
  }
  errc last_failure() const {
    REQUIRE(!answered->empty());
    REQUIRE(answered->back().failure);
    return answered->back().failure->code;
  }
};

int32_t partition_of(const std::string& key) {
  return faust::transport::partition_for_key(key, 4);
}

} // namespace

TEST_CASE("gateway: a call for a partition this worker owns goes to the "
          "agent's dispatcher as a record of its own, and its reply back") {
  deterministic t;
  auto p = partition_of("alice");
  t.own({{"requests", p}});
  t.ask("count", "alice", "c-1");
  REQUIRE(t.dispatched->size() == 1);
  CHECK(t.answered->empty()); // nothing is answered before the agent replies
  auto& b = *t.dispatched->front();
  CHECK(b.tp_id == direct_tp_flag); // its acks go to no consumer
  CHECK(b.tp == faust::models::topic_partition{"requests", p});
  REQUIRE(b.records.size() == 1);
  auto* call = as_direct_call(*b.records.front());
  REQUIRE(call != nullptr);
  CHECK(*call->key == "alice");
  CHECK(*call->value == "41");
  auto* reply_to = call->find_header(faust::reqrep::reply_to_header);
  REQUIRE(reply_to != nullptr);
  CHECK(reply_to->rfind(std::string(direct_reply_prefix), 0) == 0);
  CHECK(*call->find_header(faust::reqrep::correlation_id_header) == "c-1");
  // Its table writes name a source of their own, per worker start.
  auto origin = faust::storage::origin_of(*call);
  REQUIRE(origin);
  CHECK(origin->tp == faust::models::topic_partition{"__direct-inc-1", p});

  t.answer_and_expect(call, "c-1", "{\"value\": 42}");
  CHECK(!t.answered->back().failure);
  call->answer("{\"value\": 43}"); // a second reply is dropped
  t.dispatched->clear();
  t.sched->run();
  CHECK(t.answered->size() == 1);
}

TEST_CASE("gateway: calls it cannot serve are refused before they run") {
  deterministic t;
  SUBCASE("an agent it does not have") {
    t.ask("other", "alice", "c-1");
    CHECK(t.last_failure() == errc::invalid_argument);
  }
  SUBCASE("a partition it does not own") {
    t.ask("count", "alice", "c-1");
    CHECK(t.last_failure() == errc::not_owner);
  }
  SUBCASE("a partition it no longer owns (a rebalance took it)") {
    t.own({{"requests", partition_of("alice")}});
    t.own({});
    t.ask("count", "alice", "c-1");
    CHECK(t.last_failure() == errc::not_owner);
  }
  SUBCASE("without its lease (its consumer has not ticked for half a "
          "session timeout: the worker was stopped)") {
    t.own({{"requests", partition_of("alice")}});
    t.core->lease_stamp_ns =
        now_ns() - std::chrono::duration_cast<std::chrono::nanoseconds>(
                       t.core->settings().broker_session_timeout)
                       .count();
    t.ask("count", "alice", "c-1");
    CHECK(t.last_failure() == errc::not_owner);
  }
  SUBCASE("a suspended lease") {
    t.own({{"requests", partition_of("alice")}});
    t.core->lease_hold_until_ns = now_ns() + 60'000'000'000;
    t.ask("count", "alice", "c-1");
    CHECK(t.last_failure() == errc::not_owner);
  }
  CHECK(t.dispatched->empty());
}

TEST_CASE("gateway: a call dropped unprocessed is not_owner (the caller may "
          "send it elsewhere), one the agent began is an error (never sent "
          "again)") {
  deterministic t;
  t.own({{"requests", partition_of("alice")}});
  t.ask("count", "alice", "c-1");
  t.ask("count", "alice", "c-2");
  REQUIRE(t.dispatched->size() == 2);
  // The first was dropped from the queue (its partition was revoked).
  t.dispatched->erase(t.dispatched->begin());
  t.sched->run();
  REQUIRE(t.answered->size() == 1);
  CHECK(t.answered->back().correlation_id == "c-1");
  CHECK(t.last_failure() == errc::not_owner);
  // The second began and ended without a reply.
  as_direct_call(*t.dispatched->front()->records.front())->mark_started();
  t.dispatched->clear();
  t.sched->run();
  REQUIRE(t.answered->size() == 2);
  CHECK(t.answered->back().correlation_id == "c-2");
  CHECK(t.last_failure() == errc::agent_crashed);
}

TEST_CASE("gateway: a call not answered within its timeout fails with "
          "timeout, and a late reply is dropped") {
  deterministic t;
  t.own({{"requests", partition_of("alice")}});
  t.ask("count", "alice", "c-1");
  REQUIRE(t.dispatched->size() == 1);
  REQUIRE(t.sched->trigger_timeout());
  t.sched->run();
  REQUIRE(t.answered->size() == 1);
  CHECK(t.last_failure() == errc::timeout);
  as_direct_call(*t.dispatched->front()->records.front())->answer("{}");
  t.sched->run();
  CHECK(t.answered->size() == 1);
}

TEST_CASE("gateway: one timer serves every call: a call with an earlier "
          "deadline than the running timer's times out first, and the "
          "earlier timer, fired late, expires nothing early") {
  deterministic t;
  t.own({{"requests", partition_of("alice")}});
  t.ask("count", "alice", "c-mid", 1000);   // timer 1, at 1 s
  t.ask("count", "alice", "c-short", 10);   // timer 2, at 10 ms
  t.ask("count", "alice", "c-long", 60000); // no timer of its own yet
  REQUIRE(t.dispatched->size() == 3);
  as_direct_call(*t.dispatched->at(0)->records.front())->answer("{}");
  t.sched->run();
  REQUIRE(t.answered->size() == 1); // c-mid, answered
  // Timer 2 fires: c-short times out; timer 3 runs for c-long.
  t.fire_timer();
  t.expect_failure(2, "c-short", errc::timeout);
  // Timer 1 (1 s) is stale: c-long's deadline (60 s) is not up.
  t.fire_timer();
  CHECK(t.answered->size() == 2);
  // Timer 3: c-long times out.
  t.fire_timer();
  t.expect_failure(3, "c-long", errc::timeout);
}

TEST_CASE("gateway: a call for a partition being recovered here waits, and "
          "is served once the partition is ready") {
  deterministic t;
  faust::models::topic_partition tp{"requests", partition_of("alice")};
  t.own({}, {tp});
  t.ask("count", "alice", "c-1");
  CHECK(t.dispatched->empty());
  CHECK(t.answered->empty());
  t.own({tp}, {});
  REQUIRE(t.dispatched->size() == 1);
  auto* call = as_direct_call(*t.dispatched->front()->records.front());
  REQUIRE(call != nullptr);
  t.answer_and_expect(call, "c-1", "{\"value\": 42}");
}

TEST_CASE("gateway: a held call is answered retry after its bound, and "
          "not_owner when its partition goes elsewhere (nothing ran)") {
  deterministic t;
  faust::models::topic_partition a{"requests", partition_of("alice")};
  faust::models::topic_partition b{"requests", partition_of("bob")};
  REQUIRE(a != b);
  t.own({}, {a, b});
  t.ask("count", "alice", "c-a");
  t.ask("count", "bob", "c-b");
  // Bob's partition is revoked while recovering.
  t.own({}, {a});
  t.expect_failure(1, "c-b", errc::not_owner);
  // Alice's is still recovering when the hold runs out (half the call's
  // timeout at most): retry, so the caller may go through Kafka.
  t.fire_timer();
  t.expect_failure(2, "c-a", errc::retry);
  CHECK(t.dispatched->empty());
}

TEST_CASE("gateway: held calls are bounded in number: past the bound, retry") {
  deterministic t;
  faust::models::topic_partition tp{"requests", partition_of("alice")};
  t.own({}, {tp});
  for (int i = 0; i < 1000; ++i)
    t.ask("count", "alice", "c-" + std::to_string(i));
  CHECK(t.answered->empty());
  t.ask("count", "alice", "c-over");
  t.expect_failure(1, "c-over", errc::retry);
}

TEST_CASE("gateway: direct casts become one batch per partition it serves, "
          "the others are dropped (at most once)") {
  deterministic t;
  auto pa = partition_of("alice");
  auto pb = partition_of("bob");
  REQUIRE(pa != pb);
  t.own({{"requests", pa}});
  faust::protocol::agent_casts casts;
  casts.agent = "count";
  casts.add(pa, std::string("alice"), std::string("1"));
  casts.add(pb, std::string("bob"), std::string("2"));   // not served here
  casts.add(-1, std::string("alice"), std::string("3")); // by key
  casts.add(pa, std::nullopt, std::nullopt);
  t.send(t.gateway, casts);
  REQUIRE(t.dispatched->size() == 1);
  auto& b = *t.dispatched->front();
  CHECK(b.tp_id == direct_tp_flag);
  CHECK(b.tp == faust::models::topic_partition{"requests", pa});
  REQUIRE(b.records.size() == 3);
  CHECK(*b.records[0]->value == "1");
  CHECK(*b.records[1]->value == "3");
  CHECK(!b.records[2]->key);
  CHECK(!b.records[2]->value);
  // Each has a number of its own (its table writes' origin), no reply.
  for (auto* m : b.records) {
    CHECK(is_direct_cast(*m));
    CHECK(as_direct_call(*m) == nullptr);
  }
  CHECK(direct_cast_number(*b.records[0]) != direct_cast_number(*b.records[1]));
  CHECK(t.answered->empty());

  // Another agent, or casts that do not unpack: nothing is dispatched.
  t.dispatched->clear();
  casts.agent = "other";
  t.send(t.gateway, casts);
  faust::protocol::agent_casts bad;
  bad.agent = "count";
  bad.count = 2;
  bad.packed = "xyz";
  t.send(t.gateway, bad);
  CHECK(t.dispatched->empty());
}

namespace {

/// What a local caller's waiter was given.
struct local_outcome {
  std::vector<int64_t> values;
  std::vector<faust::error> errors;
};

/// A call made in this process for `key` (its waiter records into `out`).
direct_request local_request(const std::string& key,
                             std::shared_ptr<local_outcome> out,
                             std::chrono::milliseconds timeout = 1000ms) {
  direct_request req;
  req.agent = "count";
  req.topic = "requests";
  req.key = key;
  req.value = "41";
  req.correlation_id = "local-" + key;
  req.timeout = timeout;
  req.waiter = std::make_shared<pending_reply>();
  req.waiter->on_value = [out](const faust::models::value_reader& r,
                               faust::models::value_ref v) {
    int64_t n = 0;
    REQUIRE(r.get(v, n));
    out->values.push_back(n);
  };
  req.waiter->on_error = [out](const faust::error& e) {
    out->errors.push_back(e);
  };
  return req;
}

/// A stand-in for the router: keeps the calls handed to it.
caf::behavior fake_router(caf::event_based_actor*,
                          std::shared_ptr<std::vector<direct_request>> got) {
  return {[got](call_atom, direct_request& req) {
    got->push_back(std::move(req));
  }};
}

struct with_router : deterministic {
  std::shared_ptr<std::vector<direct_request>> routed =
      std::make_shared<std::vector<direct_request>>();
  std::shared_ptr<local_outcome> out = std::make_shared<local_outcome>();

  with_router() {
    core->runtime->router =
        caf::actor_cast<router_api>(sys->spawn(fake_router, routed));
    sched->run();
  }
  ~with_router() {
    caf::anon_send_exit(core->runtime->router, caf::exit_reason::kill);
    core->runtime->router = nullptr;
    sched->run();
  }
  void call(const std::string& key,
            std::chrono::milliseconds timeout = 1000ms) {
    send(gateway, local_call_atom::value, local_request(key, out, timeout));
  }
  const direct_call* dispatched_call() {
    REQUIRE(dispatched->size() == 1);
    auto& b = *dispatched->back();
    REQUIRE(b.records.size() == 1);
    auto* call = as_direct_call(*b.records.front());
    REQUIRE(call != nullptr);
    return call;
  }
};

} // namespace

TEST_CASE("gateway: a local call for a partition it serves runs without the "
          "router, and the agent's reply goes to the caller's waiter "
          "directly") {
  with_router t;
  auto p = partition_of("alice");
  t.own({{"requests", p}});
  t.call("alice");
  CHECK(t.routed->empty());
  auto* call = t.dispatched_call();
  CHECK(*call->key == "alice");
  CHECK(*call->value == "41");
  CHECK(call->partition == p);
  CHECK(*call->find_header(faust::reqrep::correlation_id_header) ==
        "local-alice");
  call->mark_started();
  // Given to the waiter at once, by the caller of `answer` (no message).
  call->answer("{\"value\": 42}");
  CHECK(t.out->values == std::vector<int64_t>{42});
  t.sched->run();
  // The gateway forgot it: its deadline passes without a second answer.
  while (t.sched->trigger_timeout())
    t.sched->run();
  CHECK(t.out->values.size() == 1);
  CHECK(t.out->errors.empty());
  CHECK(t.answered->empty()); // no promise was involved
}

TEST_CASE("gateway: a local call it cannot serve now goes to the router "
          "unchanged, nothing ran") {
  with_router t;
  auto p = partition_of("alice");
  SUBCASE("a partition it does not own") {
    t.call("alice");
  }
  SUBCASE("a partition it is recovering") {
    t.own({}, {{"requests", p}});
    t.call("alice");
  }
  SUBCASE("without its lease") {
    t.own({{"requests", p}});
    t.core->lease_stamp_ns = 0;
    t.call("alice");
  }
  CHECK(t.dispatched->empty());
  REQUIRE(t.routed->size() == 1);
  CHECK(t.routed->front().key == std::optional<std::string>("alice"));
  CHECK(t.routed->front().value == std::optional<std::string>("41"));
  CHECK(t.routed->front().correlation_id == "local-alice");
  CHECK(t.out->values.empty());
  CHECK(t.out->errors.empty());
}

TEST_CASE("gateway: a local call dropped before it ran goes to the router "
          "with the time it has left, one that ran and was dropped fails") {
  with_router t;
  auto p = partition_of("alice");
  t.own({{"requests", p}});
  t.call("alice", 5000ms);
  SUBCASE("not started (its partition was revoked)") {
    t.dispatched->clear(); // the dispatcher dropped the record
    t.sched->run();
    REQUIRE(t.routed->size() == 1);
    CHECK(t.routed->front().timeout <= 5000ms);
    CHECK(t.routed->front().timeout > 0ms);
    CHECK(t.routed->front().key == std::optional<std::string>("alice"));
    CHECK(t.out->errors.empty());
  }
  SUBCASE("started, then dropped without a reply") {
    t.dispatched_call()->mark_started();
    t.dispatched->clear();
    t.sched->run();
    CHECK(t.routed->empty());
    REQUIRE(t.out->errors.size() == 1);
    CHECK(t.out->errors.front().code == errc::agent_crashed);
    CHECK(t.out->errors.front().message.find("(key alice, this worker): ") ==
          0);
  }
  CHECK(t.out->values.empty());
}

TEST_CASE("gateway: a local call not answered within its timeout fails with "
          "timeout, naming the key, and a late reply is dropped") {
  with_router t;
  t.own({{"requests", partition_of("alice")}});
  t.call("alice", 50ms);
  auto* call = t.dispatched_call();
  call->mark_started();
  t.fire_timer();
  REQUIRE(t.out->errors.size() == 1);
  CHECK(t.out->errors.front().code == errc::timeout);
  CHECK(t.out->errors.front().message.find("(key alice, this worker): ") == 0);
  // A late reply still reaches the waiter (`ask_async`'s once_callback
  // drops it there); the gateway answers nothing more.
  call->answer("{\"value\": 42}");
  t.sched->run();
  CHECK(t.out->errors.size() == 1);
  CHECK(t.routed->empty());
}

TEST_CASE("call_directly: a worker's own call goes to its gateway, unless a "
          "direct cast sent before it still waits in the router") {
  with_router t;
  t.own({{"requests", partition_of("alice")}});
  t.core->runtime->gateway = t.gateway;
  t.core->running = true;
  REQUIRE(call_directly(*t.core, local_request("alice", t.out)));
  t.sched->run();
  CHECK(t.dispatched->size() == 1);
  CHECK(t.routed->empty());
  // A cast counted but not yet settled by the router: the call follows it
  // through the router.
  t.core->runtime->direct_casts_sent.fetch_add(1);
  REQUIRE(call_directly(*t.core, local_request("alice", t.out)));
  t.sched->run();
  CHECK(t.dispatched->size() == 1);
  CHECK(t.routed->size() == 1);
  t.core->runtime->direct_casts_settled.store(1);
  REQUIRE(call_directly(*t.core, local_request("alice", t.out)));
  t.sched->run();
  CHECK(t.dispatched->size() == 2);
  t.core->running = false;
  t.core->runtime->gateway = nullptr;
}

TEST_CASE("agent_casts: casts pack into one string and unpack in order") {
  faust::protocol::agent_casts c;
  c.add(3, std::string("k"), std::string("v"));
  c.add(-1, std::nullopt, std::string(""));
  c.add(0, std::string(""), std::nullopt);
  std::vector<std::string> seen;
  auto show = [](const std::string_view* b) {
    return b ? "'" + std::string(*b) + "'" : std::string("none");
  };
  bool whole = faust::protocol::agent_casts::each(
      c.packed, c.count,
      [&](int32_t p, const std::string_view* k, const std::string_view* v) {
        seen.push_back(std::to_string(p) + " " + show(k) + " " + show(v));
      });
  CHECK(whole);
  CHECK(seen ==
        std::vector<std::string>{"3 'k' 'v'", "-1 none ''", "0 '' none"});
  // Truncated: the casts before the cut are seen, and it says so.
  seen.clear();
  CHECK_FALSE(faust::protocol::agent_casts::each(
      std::string_view(c.packed).substr(0, c.packed.size() - 1), c.count,
      [&](int32_t, const std::string_view*, const std::string_view*) {
        seen.push_back("x");
      }));
  CHECK(seen.size() == 2);
}
