// An agent instance whose coroutine awaits something outside its stream
// (an ask's reply), driven step by step on CAF's deterministic test
// coordinator: while it waits it takes no work and asks for none, a wake
// resumes it once, and the rest of its batch follows in order.
#include "actors/internal/app_core.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "faust/detail/processor.hpp"
#include "faust/detail/wake.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/actors/deterministic_system.hpp"

using namespace faust::internal;
using test_support::batch;

namespace {

using journal = std::shared_ptr<std::vector<std::string>>;

/// What the instance told its dispatcher: "ready" or "crashed <next>".
caf::behavior fake_dispatcher(caf::event_based_actor*, journal told) {
  return {
      [=](ready_atom, size_t) { told->push_back("ready"); },
      [=](crashed_atom, size_t, const work& w) {
        told->push_back("crashed " + std::to_string(w.begin));
      },
  };
}

/// Processes records by offset; at an offset in `awaits` it suspends (as a
/// coroutine awaiting an ask does), asking to be woken unless `foreign`
/// (an awaitable nothing resumes).
struct awaiting_processor final : processor {
  journal log;
  std::set<int64_t> awaits;
  bool foreign = false;
  std::shared_ptr<std::function<void()>> waker;

  process_outcome start(processor_host&) override { return {}; }
  process_outcome process(const batch_ptr& b, size_t begin) override {
    for (size_t i = begin; i < b->records.size(); ++i) {
      auto offset = b->records[i]->offset;
      log->push_back("event " + std::to_string(offset));
      if (awaits.count(offset)) {
        if (!foreign)
          *waker = current_wake_target()->suspend_here();
        return {process_outcome::waiting, i + 1, {}};
      }
    }
    return {};
  }
  process_outcome resume() override {
    log->push_back("resumed");
    return {};
  }
};

struct instance_fixture : test_support::deterministic_system {
  journal log = std::make_shared<std::vector<std::string>>();
  journal told = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<std::function<void()>> waker =
      std::make_shared<std::function<void()>>();
  std::shared_ptr<app_core> core = [] {
    faust::app_settings s;
    s.id = "instance-protocol";
    s.broker = "memory://";
    return std::make_shared<app_core>(s);
  }();
  dispatcher_api dispatcher =
      caf::actor_cast<dispatcher_api>(keep(sys->spawn(fake_dispatcher, told)));

  instance_api instance(std::set<int64_t> awaits, bool foreign = false) {
    instance_config cfg;
    cfg.agent_name = "front";
    cfg.dispatcher = dispatcher;
    cfg.core = core;
    cfg.make_processor = [=, this](size_t) {
      auto p = std::make_unique<awaiting_processor>();
      p->log = log;
      p->awaits = awaits;
      p->foreign = foreign;
      p->waker = waker;
      return p;
    };
    return keep(spawn_instance(*sys, std::move(cfg)));
  }
  /// Calls the waker as the reply's thread would.
  void wake() {
    (*waker)();
    sched->run();
  }
};

using strings = std::vector<std::string>;

} // namespace

TEST_CASE("instance: a coroutine that awaits holds its batch and asks for "
          "no work until woken, then finishes the batch and asks again") {
  instance_fixture t;
  auto i = t.instance({11});
  CHECK(*t.told == strings{"ready"});
  t.send(i, work_atom::value, work{batch(0, 10), 0});
  CHECK(*t.log == strings{"event 10", "event 11"});
  CHECK(*t.told == strings{"ready"}); // waits: no more work asked for
  // Neither a caught-up word nor a persist tick cuts the open event.
  t.send(i, caught_up_atom::value);
  t.send(i, persist_atom::value);
  CHECK(*t.log == strings{"event 10", "event 11"});
  t.wake();
  CHECK(*t.log == strings{"event 10", "event 11", "resumed", "event 12"});
  CHECK(*t.told == strings{"ready", "ready"});
  // A second wake for the same wait is stale: nothing resumes twice.
  t.wake();
  CHECK(*t.log == strings{"event 10", "event 11", "resumed", "event 12"});
  CHECK(*t.told == strings{"ready", "ready"});
}

TEST_CASE("instance: work that arrives while the coroutine waits is taken "
          "after it, in order") {
  instance_fixture t;
  auto i = t.instance({10});
  t.send(i, work_atom::value, work{batch(0, 10, 2), 0});
  t.send(i, work_atom::value, work{batch(1, 20, 2), 0});
  CHECK(*t.log == strings{"event 10"});
  t.wake();
  CHECK(*t.log ==
        strings{"event 10", "resumed", "event 11", "event 20", "event 21"});
  CHECK(*t.told == strings{"ready", "ready"});
}

TEST_CASE("instance: a coroutine that awaits something nothing resumes "
          "crashes with the rest of its batch handed back, its open event "
          "included") {
  instance_fixture t;
  auto i = t.instance({11}, true);
  t.send(i, work_atom::value, work{batch(0, 10), 0});
  CHECK(*t.log == strings{"event 10", "event 11"});
  CHECK(*t.told == strings{"ready", "crashed 1"});
}

TEST_CASE("instance: work held while the coroutine waited runs right after "
          "it, and no more work is asked for while that work waits too") {
  instance_fixture t;
  auto i = t.instance({10, 20});
  t.send(i, work_atom::value, work{batch(0, 10, 1), 0});
  t.send(i, work_atom::value, work{batch(1, 20, 1), 0});
  CHECK(*t.told == strings{"ready"});
  t.wake();
  CHECK(*t.log == strings{"event 10", "resumed", "event 20"});
  // The held work awaits now: the dispatcher must not think it done.
  CHECK(*t.told == strings{"ready"});
  t.wake();
  CHECK(*t.log == strings{"event 10", "resumed", "event 20", "resumed"});
  CHECK(*t.told == strings{"ready", "ready"});
}
