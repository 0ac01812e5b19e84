#include "supervision/errors.hpp"
#include "supervision/failure.hpp"
#include "supervision/supervisor.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>

using namespace faust::supervision;
using namespace std::chrono_literals;

namespace {

using crash_atom = caf::atom_constant<caf::atom("crash")>;
using started_atom = caf::atom_constant<caf::atom("started")>;
using finish_atom = caf::atom_constant<caf::atom("finish")>;
using stopping_atom = caf::atom_constant<caf::atom("stopping")>;

/// A child that reports every start to `observer` and throws on `crash`.
child_spec worker(std::string name, caf::actor observer) {
  return {name, [name, observer](caf::actor_system& sys) {
            // Arguments are passed to spawn, not captured: CAF 0.17.6 binds a
            // null argument tuple when there are none (UBSan flags it).
            return sys.spawn(
                [](caf::event_based_actor* self, std::string name,
                   caf::actor observer) -> caf::behavior {
                  name_failures(self, "worker " + name);
                  self->send(observer, started_atom::value, name,
                             caf::actor{self});
                  return {
                      [name](crash_atom) -> caf::result<void> {
                        throw std::runtime_error(name + " failed on purpose");
                      },
                      [self](finish_atom) { self->quit(); },
                  };
                },
                name, observer);
          }};
}

/// A child that is slow to stop: told to exit, it reports `stopping` and
/// ends only on `finish`. `alive` counts such children from start to end;
/// each start reports the count including itself.
child_spec slow_stopper(std::string name, caf::actor observer,
                        std::shared_ptr<std::atomic<int>> alive) {
  return {name, [name, observer, alive](caf::actor_system& sys) {
            return sys.spawn(
                [](caf::event_based_actor* self, std::string name,
                   caf::actor observer,
                   std::shared_ptr<std::atomic<int>> alive) -> caf::behavior {
                  int now = ++*alive;
                  self->set_exit_handler(
                      [self, name, observer](caf::exit_msg&) {
                        self->send(observer, stopping_atom::value, name);
                      });
                  self->send(observer, started_atom::value, name,
                             caf::actor{self}, now);
                  return {
                      [name, alive](crash_atom) -> caf::result<void> {
                        --*alive;
                        throw std::runtime_error(name + " failed on purpose");
                      },
                      [self, alive](finish_atom) {
                        --*alive;
                        self->quit();
                      },
                  };
                },
                name, observer, alive);
          }};
}

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor test{sys};
  std::map<std::string, caf::actor> current;

  /// Waits for `n` start reports and records the newest handle per child.
  /// Children run concurrently, so the names come back sorted.
  std::vector<std::string> expect_starts(size_t n) {
    std::vector<std::string> names;
    for (size_t i = 0; i < n; ++i)
      test->receive(
          [&](started_atom, const std::string& name, caf::actor child) {
            names.push_back(name);
            current[name] = child;
          },
          caf::after(10s) >> [&] { FAIL("timed out waiting for a start"); });
    std::sort(names.begin(), names.end());
    return names;
  }

  /// Waits for `n` starts of slow stoppers; returns the live counts they
  /// reported, sorted.
  std::vector<int> expect_slow_starts(size_t n) {
    std::vector<int> counts;
    for (size_t i = 0; i < n; ++i)
      test->receive(
          [&](started_atom, const std::string& name, caf::actor child,
              int alive) {
            counts.push_back(alive);
            current[name] = child;
          },
          caf::after(10s) >> [&] { FAIL("timed out waiting for a start"); });
    std::sort(counts.begin(), counts.end());
    return counts;
  }

  void expect_stopping(const std::string& who) {
    test->receive(
        [&](stopping_atom, const std::string& name) { CHECK(name == who); },
        caf::after(10s) >> [&] { FAIL("no stopping report"); });
  }

  /// True if `sup` still answers.
  bool answers(const caf::actor& sup) {
    bool ok = false;
    test->request(sup, 10s, get_children_atom::value)
        .receive([&](child_list&) { ok = true; }, [&](caf::error&) {});
    return ok;
  }

  std::vector<uint64_t> restarts(const caf::actor& sup) {
    std::vector<uint64_t> out;
    test->request(sup, 10s, get_restarts_atom::value)
        .receive([&](std::vector<uint64_t> r) { out = std::move(r); },
                 [&](caf::error& e) { FAIL(describe(e)); });
    return out;
  }

  caf::error wait_down(const caf::actor& who) {
    caf::error reason;
    test->monitor(who);
    test->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                  caf::after(10s) >> [&] { FAIL("no down message"); });
    return reason;
  }

  caf::actor start(strategy how, restart_limits limits = {}) {
    auto sup = spawn_supervisor(
        sys, {"test", how, limits, {worker("a", test), worker("b", test)}});
    CHECK(expect_starts(2) == std::vector<std::string>{"a", "b"});
    return sup;
  }
};

} // namespace

TEST_CASE_FIXTURE(fixture, "one_for_one restarts only the crashed child") {
  auto sup = start(strategy::one_for_one);
  auto old_b = current["b"];
  test->send(current["a"], crash_atom::value);
  CHECK(expect_starts(1) == std::vector<std::string>{"a"});
  CHECK(restarts(sup) == std::vector<uint64_t>{1, 0});
  CHECK(current["b"] == old_b);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  CHECK(wait_down(current["b"]) == caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(fixture, "one_for_all restarts every child") {
  auto sup = start(strategy::one_for_all);
  auto old_b = current["b"];
  test->monitor(old_b);
  test->send(current["a"], crash_atom::value);
  CHECK(expect_starts(2) == std::vector<std::string>{"a", "b"});
  CHECK(current["b"] != old_b);
  CHECK(restarts(sup) == std::vector<uint64_t>{1, 1});
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(fixture, "one_for_all starts the new generation only once "
                           "the children it stopped have ended") {
  auto alive = std::make_shared<std::atomic<int>>(0);
  auto sup = spawn_supervisor(
      sys, {"test",
            strategy::one_for_all,
            {},
            {slow_stopper("a", test, alive), slow_stopper("b", test, alive)}});
  CHECK(expect_slow_starts(2) == std::vector<int>{1, 2});
  auto old_b = current["b"];
  test->send(current["a"], crash_atom::value);
  expect_stopping("b");
  // The old `b` still runs: nothing new may start until it has ended.
  test->send(old_b, finish_atom::value);
  // Had the new pair started next to the old `b`, they would count 2 and 3.
  CHECK(expect_slow_starts(2) == std::vector<int>{1, 2});
  CHECK(current["b"] != old_b);
  CHECK(restarts(sup) == std::vector<uint64_t>{1, 1});
  test->monitor(sup);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  for (int i = 0; i < 2; ++i)
    test->receive(
        [&](stopping_atom, const std::string& name) {
          test->send(current[name], finish_atom::value);
        },
        caf::after(10s) >> [&] { FAIL("no stopping report"); });
  test->receive(
      [&](caf::down_msg& dm) {
        CHECK(dm.reason == caf::exit_reason::user_shutdown);
      },
      caf::after(10s) >> [&] { FAIL("no down message"); });
  CHECK(alive->load() == 0);
}

TEST_CASE_FIXTURE(fixture, "a supervisor told to exit ends after its "
                           "children") {
  auto alive = std::make_shared<std::atomic<int>>(0);
  auto sup = spawn_supervisor(
      sys,
      {"test", strategy::one_for_one, {}, {slow_stopper("b", test, alive)}});
  CHECK(expect_slow_starts(1) == std::vector<int>{1});
  test->monitor(sup);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  expect_stopping("b");
  CHECK(answers(sup)); // still waiting for `b`
  test->send(current["b"], finish_atom::value);
  caf::error reason;
  test->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                caf::after(10s) >> [&] { FAIL("no down message"); });
  CHECK(reason == caf::exit_reason::user_shutdown);
  CHECK(alive->load() == 0);
}

TEST_CASE_FIXTURE(fixture, "a child that does not stop within stop_timeout "
                           "makes a one_for_all supervisor escalate") {
  auto alive = std::make_shared<std::atomic<int>>(0);
  supervisor_options opts{
      "test",
      strategy::one_for_all,
      {},
      {slow_stopper("a", test, alive), slow_stopper("b", test, alive)}};
  opts.stop_timeout = 200ms;
  auto sup = spawn_supervisor(sys, std::move(opts));
  CHECK(expect_slow_starts(2) == std::vector<int>{1, 2});
  auto stuck = current["b"];
  test->monitor(sup);
  test->send(current["a"], crash_atom::value);
  expect_stopping("b");
  caf::error reason;
  test->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                caf::after(10s) >> [&] { FAIL("no down message"); });
  CHECK(code_of(reason) == errc::timeout);
  CHECK(describe(reason).find("supervisor 'test': 'b' did not stop within "
                              "200 ms") != std::string::npos);
  CHECK(alive->load() == 1); // left behind, not restarted next to a new one
  test->monitor(stuck);
  test->send(stuck, finish_atom::value);
  test->receive([&](caf::down_msg& dm) { CHECK_FALSE(dm.reason); },
                caf::after(10s) >> [&] { FAIL("no down message"); });
}

TEST_CASE_FIXTURE(fixture, "a child that cannot be restarted makes even "
                           "one_for_one escalate") {
  auto fixed = worker("consumer", test);
  fixed.restartable = false;
  auto sup = spawn_supervisor(
      sys, {"runtime", strategy::one_for_one, {}, {worker("a", test), fixed}});
  CHECK(expect_starts(2) == std::vector<std::string>{"a", "consumer"});
  // A restartable sibling is restarted as usual...
  test->send(current["a"], crash_atom::value);
  CHECK(expect_starts(1) == std::vector<std::string>{"a"});
  auto a = current["a"];
  // ...but the fixed child's crash stops the supervisor and its children.
  test->send(current["consumer"], crash_atom::value);
  auto reason = wait_down(sup);
  CHECK(code_of(reason) == errc::child_crashed);
  CHECK(describe(reason).find("child 'consumer' crashed and cannot be "
                              "restarted") != std::string::npos);
  // The child's exception is in the reason, with the child's name.
  CHECK(describe(reason).find("runtime_failure: worker consumer: consumer "
                              "failed on purpose") != std::string::npos);
  CHECK(wait_down(a) == reason);
}

TEST_CASE_FIXTURE(fixture, "a child that finishes normally is not restarted") {
  auto sup = start(strategy::one_for_one);
  auto a = current["a"];
  test->send(a, finish_atom::value);
  CHECK_FALSE(wait_down(a));
  CHECK(restarts(sup) == std::vector<uint64_t>{0, 0});
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(fixture, "exceeding the restart limit escalates and stops "
                           "the remaining children") {
  auto sup = start(strategy::one_for_one, {2, std::chrono::minutes{1}});
  test->monitor(sup);
  for (int i = 0; i < 2; ++i) {
    test->send(current["a"], crash_atom::value);
    CHECK(expect_starts(1) == std::vector<std::string>{"a"});
  }
  auto b = current["b"];
  test->monitor(b);
  test->send(current["a"], crash_atom::value);
  caf::error sup_reason, b_reason;
  for (int i = 0; i < 2; ++i)
    test->receive(
        [&](caf::down_msg& dm) {
          (dm.source == sup.address() ? sup_reason : b_reason) = dm.reason;
        },
        caf::after(10s) >> [&] { FAIL("no down message"); });
  CHECK(sup_reason.category() == caf::atom("faust"));
  CHECK(sup_reason.code() == static_cast<uint8_t>(errc::too_many_restarts));
  CHECK(describe(sup_reason) ==
        "too_many_restarts: supervisor 'test' gave up after 2 restarts "
        "within 60000 ms");
  CHECK(b_reason == sup_reason);
}

TEST_CASE_FIXTURE(fixture, "crashing propagates the first crash upwards") {
  auto sup = start(strategy::crashing);
  test->send(current["a"], crash_atom::value);
  auto reason = wait_down(sup);
  CHECK(reason.code() == static_cast<uint8_t>(errc::child_crashed));
  CHECK(describe(reason).find("child 'a' crashed") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "forfeit_one_for_one leaves a crashed child down") {
  auto sup = start(strategy::forfeit_one_for_one);
  auto a = current["a"];
  test->send(a, crash_atom::value);
  CHECK(wait_down(a));
  // Our monitor may see `a` die before the supervisor handles the same
  // down message: ask until the supervisor has (bounded, no sleeping).
  child_list kids;
  for (int attempt = 0; attempt < 10000; ++attempt) {
    test->request(sup, 10s, get_children_atom::value)
        .receive([&](child_list& l) { kids = std::move(l); },
                 [&](caf::error& e) { FAIL(describe(e)); });
    if (kids.actors.size() == 2 && !kids.actors[0])
      break;
  }
  REQUIRE(kids.actors.size() == 2);
  CHECK_FALSE(kids.actors[0]);
  CHECK(kids.actors[1] == current["b"]);
  CHECK(restarts(sup) == std::vector<uint64_t>{0, 0});
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(fixture, "a supervisor that escalates is restarted by its "
                           "own supervisor, with fresh children") {
  auto inner = supervisor_child(
      {"inner", strategy::one_for_one, {0, 1s}, {worker("leaf", test)}});
  auto root =
      spawn_supervisor(sys, {"root", strategy::one_for_one, {}, {inner}});
  CHECK(expect_starts(1) == std::vector<std::string>{"leaf"});
  test->send(current["leaf"], crash_atom::value);
  CHECK(expect_starts(1) == std::vector<std::string>{"leaf"});
  CHECK(restarts(root) == std::vector<uint64_t>{1});
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  CHECK(wait_down(current["leaf"]) == caf::exit_reason::user_shutdown);
}

TEST_CASE("restart_budget counts restarts in a sliding window") {
  restart_budget b{{2, 1000ms}};
  auto t0 = restart_budget::clock::time_point{};
  CHECK(b.try_restart(t0));
  CHECK(b.try_restart(t0 + 100ms));
  CHECK_FALSE(b.try_restart(t0 + 200ms));
  CHECK(b.try_restart(t0 + 1000ms)); // the first one left the window
  CHECK(b.recent() == 2);
}

TEST_CASE("strategies are found by our names and by mode's class paths") {
  CHECK(strategy_from_name("mode.OneForOneSupervisor") ==
        strategy::one_for_one);
  CHECK(strategy_from_name("one_for_all") == strategy::one_for_all);
  CHECK(strategy_from_name("mode.CrashingSupervisor") == strategy::crashing);
  CHECK(strategy_from_name("forfeit_one_for_one") ==
        strategy::forfeit_one_for_one);
  CHECK_FALSE(strategy_from_name("rest_for_one").has_value());
}
