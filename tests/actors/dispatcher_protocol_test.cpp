// The dispatcher's protocol, driven step by step on CAF's deterministic
// test coordinator: no thread runs an actor, so each step's outcome is
// exact (which instance gets which work, in which order).
#include "actors/internal/messages.hpp"
#include "actors/internal/runtime_actors.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "tests/actors/deterministic_system.hpp"

using namespace faust::internal;
using test_support::batch;

namespace {

using go_atom = caf::atom_constant<caf::atom("go")>;
using fail_atom = caf::atom_constant<caf::atom("fail")>;

/// What a fake agent instance was given: the batch's partition, its first
/// record's offset and where in the batch the work begins; `caught_up`
/// stands for the dispatcher's word that nothing more is queued.
struct received {
  int32_t partition;
  int64_t first_offset;
  size_t begin;
  bool operator==(const received&) const = default;
};
using journal = std::shared_ptr<std::vector<received>>;
const received caught_up{-1, -1, 0};

/// A stand-in for an agent instance: (go) pulls work as instances do,
/// (fail, begin) reports the work it holds as unfinished from `begin` and
/// ends, as a crashing instance does.
caf::behavior fake_instance(caf::event_based_actor* self,
                            dispatcher_api dispatcher, size_t index,
                            journal log) {
  auto held = std::make_shared<work>();
  return {
      [=](go_atom) { self->send(dispatcher, ready_atom::value, index); },
      [=](work_atom, const work& w) {
        *held = w;
        log->push_back(
            {w.batch->tp.partition, w.batch->records.front()->offset, w.begin});
      },
      [=](caught_up_atom) { log->push_back(caught_up); },
      [=](flush_acks_atom) { return true; },
      [=](fail_atom, size_t begin) {
        self->send(dispatcher, crashed_atom::value, index,
                   work{held->batch, begin});
        self->quit(caf::sec::runtime_error);
      },
  };
}

struct deterministic : test_support::deterministic_system {
  dispatcher_api dispatcher(dispatcher_config c) {
    return keep(spawn_dispatcher(*sys, std::move(c)));
  }
  /// What the fake instances were given.
  journal log = std::make_shared<std::vector<received>>();

  /// A dispatcher of agent "count" with `slots` instance slots.
  dispatcher_api dispatcher(size_t slots = 1, bool isolated = false) {
    return dispatcher(
        {.agent_name = "count", .isolated = isolated, .slots = slots});
  }
  caf::actor instance(const dispatcher_api& d, size_t index) {
    return keep(sys->spawn(fake_instance, d, index, log));
  }
};

} // namespace

TEST_CASE("dispatcher: each ready instance gets one piece of work at a "
          "time, in arrival order") {
  deterministic t;
  auto& log = t.log;
  auto d = t.dispatcher();
  t.send(d, batch_atom::value, batch(0, 100));
  t.send(d, batch_atom::value, batch(1, 200));
  auto i = t.instance(d, 0);
  CHECK(log->empty()); // nothing is pushed before the instance asks
  t.send(i, go_atom::value);
  CHECK(*log == std::vector<received>{{0, 100, 0}});
  t.send(i, go_atom::value);
  CHECK(*log == std::vector<received>{{0, 100, 0}, {1, 200, 0}});
  // Ready with nothing queued: no work comes, but word that it caught up
  // (an instance then flushes its table caches).
  t.send(i, go_atom::value);
  CHECK(*log == std::vector<received>{{0, 100, 0}, {1, 200, 0}, caught_up});
  t.send(d, batch_atom::value, batch(0, 103));
  CHECK(log->back() == received{0, 103, 0}); // it was waiting: sent at once
}

TEST_CASE("dispatcher: a crashed instance's unfinished work goes first to "
          "its replacement, from where it stopped") {
  deterministic t;
  auto& log = t.log;
  auto d = t.dispatcher();
  t.send(d, batch_atom::value, batch(0, 100));
  t.send(d, batch_atom::value, batch(0, 103));
  auto first = t.instance(d, 0);
  t.send(first, go_atom::value);
  t.send(first, fail_atom::value, size_t{2}); // records 100, 101 were done
  auto second = t.instance(d, 0);
  t.send(second, go_atom::value);
  t.send(second, go_atom::value);
  CHECK(*log == std::vector<received>{{0, 100, 0}, {0, 100, 2}, {0, 103, 0}});
}

TEST_CASE("dispatcher: work held by an instance that is killed is given to "
          "the next instance") {
  deterministic t;
  auto& log = t.log;
  auto d = t.dispatcher();
  t.send(d, batch_atom::value, batch(0, 100));
  auto first = t.instance(d, 0);
  t.send(first, go_atom::value);
  caf::anon_send_exit(first, caf::exit_reason::kill); // no crash report
  t.sched->run();
  auto second = t.instance(d, 0);
  t.send(second, go_atom::value);
  CHECK(*log == std::vector<received>{{0, 100, 0}, {0, 100, 0}});
}

TEST_CASE("dispatcher: queued work of revoked partitions is dropped, and "
          "isolated slots get their own partitions") {
  deterministic t;
  auto& log = t.log;
  auto d = t.dispatcher(2, true);
  for (int32_t p = 0; p < 4; ++p)
    t.send(d, batch_atom::value, batch(p, 10 * p));
  t.send(d, revoked_atom::value, assignment{{{"views", 2}}});
  auto even = t.instance(d, 0);
  auto odd = t.instance(d, 1);
  t.send(odd, go_atom::value);
  t.send(even, go_atom::value);
  t.send(even, go_atom::value); // partition 2 was revoked: nothing more
  t.send(odd, go_atom::value);
  CHECK(*log ==
        std::vector<received>{{1, 10, 0}, {0, 0, 0}, caught_up, {3, 30, 0}});
}

namespace {

/// Asks the dispatcher to drain `partitions` of "views"; appends "drained"
/// to `answers` when it answers.
caf::behavior drain_asker(caf::event_based_actor* self,
                          dispatcher_api dispatcher,
                          std::vector<int32_t> partitions,
                          std::shared_ptr<std::vector<std::string>> answers) {
  assignment going;
  for (auto p : partitions)
    going.partitions.push_back({"views", p});
  self->request(dispatcher, caf::infinite, drain_atom::value, going)
      .then([answers](bool) { answers->push_back("drained"); });
  return {[](go_atom) {}};
}

} // namespace

TEST_CASE("dispatcher: a drain drops the partitions' queued work and is "
          "answered once no instance holds work of them") {
  deterministic t;
  auto& log = t.log;
  auto d = t.dispatcher(2);
  t.send(d, batch_atom::value, batch(0, 100));
  t.send(d, batch_atom::value, batch(1, 200));
  t.send(d, batch_atom::value, batch(0, 103));
  auto first = t.instance(d, 0);
  auto second = t.instance(d, 1);
  t.send(first, go_atom::value);  // holds partition 0's first batch
  t.send(second, go_atom::value); // holds partition 1's
  auto answers = std::make_shared<std::vector<std::string>>();
  // Partition 2: nobody works on it: answered at once.
  t.keep(t.sys->spawn(drain_asker, d, std::vector<int32_t>{2}, answers));
  CHECK(*answers == std::vector<std::string>{"drained"});
  // Partition 0: its queued batch (103) is dropped; the answer waits for
  // the instance that holds 100.
  t.keep(t.sys->spawn(drain_asker, d, std::vector<int32_t>{0}, answers));
  CHECK(answers->size() == 1);
  t.send(second, go_atom::value); // partition 1's holder finishes: no answer
  CHECK(answers->size() == 1);
  t.send(first, go_atom::value); // partition 0's holder finishes
  CHECK(*answers == std::vector<std::string>{"drained", "drained"});
  // 103 was dropped: both instances caught up, nothing more came.
  CHECK(*log ==
        std::vector<received>{{0, 100, 0}, {1, 200, 0}, caught_up, caught_up});
}

TEST_CASE("dispatcher: the unfinished work of a crashed instance is not "
          "requeued for a partition being drained, and the drain ends") {
  deterministic t;
  auto& log = t.log;
  auto d = t.dispatcher();
  t.send(d, batch_atom::value, batch(0, 100));
  auto first = t.instance(d, 0);
  t.send(first, go_atom::value);
  auto answers = std::make_shared<std::vector<std::string>>();
  t.keep(t.sys->spawn(drain_asker, d, std::vector<int32_t>{0}, answers));
  CHECK(answers->empty());
  t.send(first, fail_atom::value, size_t{1}); // 101, 102 unfinished
  CHECK(*answers == std::vector<std::string>{"drained"});
  auto second = t.instance(d, 0);
  t.send(second, go_atom::value);
  CHECK(*log == std::vector<received>{{0, 100, 0}, caught_up});
}
