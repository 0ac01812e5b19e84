#pragma once

// An actor system on CAF's deterministic test coordinator: no thread runs
// an actor, each `send` runs every actor until none has a message, so each
// step's outcome is exact. For the protocol tests of the runtime's actors.
#include "actors/internal/messages.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <memory>
#include <string>
#include <vector>

namespace test_support {

struct deterministic_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  /// Ended (killed) when the test ends.
  std::vector<caf::actor> actors;

  deterministic_system() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
  }
  ~deterministic_system() {
    // Nothing runs on its own here: end every actor, then let the system go.
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    actors.clear();
    sched->run();
    while (sched->trigger_timeout())
      sched->run();
  }
  deterministic_system(const deterministic_system&) = delete;
  deterministic_system& operator=(const deterministic_system&) = delete;

  /// Keeps `handle` to be ended with the test; returns it.
  template <class Handle> Handle keep(Handle handle) {
    actors.push_back(caf::actor_cast<caf::actor>(handle));
    sched->run();
    return handle;
  }
  /// Sends and runs until every actor is idle.
  template <class Handle, class... Ts> void send(const Handle& to, Ts&&... xs) {
    caf::anon_send(to, std::forward<Ts>(xs)...);
    sched->run();
  }
};

/// A batch of `n` records of `topic` partition `partition` from `offset`.
inline faust::internal::batch_ptr batch(int32_t partition, int64_t offset,
                                        size_t n = 3,
                                        const std::string& topic = "views") {
  auto b = std::make_shared<faust::internal::record_batch>();
  b->tp = {topic, partition};
  for (size_t i = 0; i < n; ++i) {
    auto m = std::make_shared<faust::models::message>();
    m->topic = topic;
    m->partition = partition;
    m->offset = offset + static_cast<int64_t>(i);
    b->add(std::move(m));
  }
  return b;
}

} // namespace test_support
