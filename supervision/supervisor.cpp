#include "supervision/supervisor.hpp"

#include "supervision/errors.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

#include <memory>

namespace faust::supervision {

namespace {

struct supervisor_state {
  supervisor_options opts;
  std::vector<caf::actor> children;
  std::vector<uint64_t> restarts;
  std::unique_ptr<restart_budget> budget;
  /// Shared with the cleanup functor that stops children when we exit.
  std::shared_ptr<std::vector<caf::actor>> live =
      std::make_shared<std::vector<caf::actor>>();
  static inline const char* name = "faust.supervisor";
};

using supervisor_actor = caf::stateful_actor<supervisor_state>;

bool is_crash(const caf::error& reason) {
  return reason && reason != caf::exit_reason::normal &&
         reason != caf::exit_reason::user_shutdown;
}

void start_child(supervisor_actor* self, size_t index) {
  auto& st = self->state;
  auto child = st.opts.children[index].start(self->system());
  self->monitor(child);
  st.children[index] = child;
  *st.live = st.children;
}

void stop_child(supervisor_actor* self, size_t index,
                const caf::error& reason) {
  auto& st = self->state;
  if (auto& child = st.children[index]) {
    self->demonitor(child);
    self->send_exit(child, reason);
    child = nullptr;
    *st.live = st.children;
  }
}

/// Exits with `reason` after stopping every child (the cleanup functor
/// does the stopping, so this also covers exits we did not choose).
void escalate(supervisor_actor* self, caf::error reason) {
  faust::log().error("supervisor '{}' escalates: {}", self->state.opts.name,
                     describe(reason));
  self->quit(std::move(reason));
}

void on_child_down(supervisor_actor* self, const caf::down_msg& dm) {
  auto& st = self->state;
  size_t index = st.children.size();
  for (size_t i = 0; i < st.children.size(); ++i)
    if (st.children[i] && st.children[i].address() == dm.source)
      index = i;
  if (index == st.children.size())
    return; // a child we already replaced or stopped
  auto& spec = st.opts.children[index];
  st.children[index] = nullptr;
  *st.live = st.children;
  if (!is_crash(dm.reason)) {
    faust::log().debug("supervisor '{}': child '{}' finished", st.opts.name,
                       spec.name);
    return;
  }
  faust::log().warn("supervisor '{}': child '{}' crashed: {}", st.opts.name,
                    spec.name, describe(dm.reason));
  if (!spec.restartable) {
    escalate(self,
             make_error(errc::child_crashed,
                        "supervisor '" + st.opts.name + "': child '" +
                            spec.name + "' crashed and cannot be restarted: " +
                            describe(dm.reason)));
    return;
  }
  switch (st.opts.how) {
  case strategy::crashing:
    escalate(self,
             make_error(errc::child_crashed,
                        "supervisor '" + st.opts.name + "': child '" +
                            spec.name + "' crashed: " + describe(dm.reason)));
    return;
  case strategy::forfeit_one_for_one:
    faust::log().critical("supervisor '{}': giving up on crashed child '{}'",
                          st.opts.name, spec.name);
    return;
  case strategy::one_for_one:
  case strategy::one_for_all:
    break;
  }
  if (!st.budget->try_restart(restart_budget::clock::now())) {
    auto& lim = st.budget->limits();
    escalate(self,
             make_error(errc::too_many_restarts,
                        "supervisor '" + st.opts.name + "' gave up after " +
                            std::to_string(lim.max_restarts) +
                            " restarts within " +
                            std::to_string(lim.period.count()) + " ms"));
    return;
  }
  if (st.opts.how == strategy::one_for_one) {
    ++st.restarts[index];
    start_child(self, index);
    return;
  }
  // one_for_all: stop the others, then start everyone again in order.
  for (size_t i = 0; i < st.children.size(); ++i)
    stop_child(self, i, caf::exit_reason::user_shutdown);
  for (size_t i = 0; i < st.children.size(); ++i) {
    ++st.restarts[i];
    start_child(self, i);
  }
}

caf::behavior supervisor_impl(supervisor_actor* self, supervisor_options opts) {
  auto& st = self->state;
  st.budget = std::make_unique<restart_budget>(opts.limits);
  st.children.resize(opts.children.size());
  st.restarts.resize(opts.children.size());
  st.opts = std::move(opts);
  self->attach_functor([live = st.live](const caf::error& reason) {
    auto exit_reason =
        reason ? reason : caf::error{caf::exit_reason::user_shutdown};
    for (auto& child : *live)
      if (child)
        caf::anon_send<caf::message_priority::high>(
            child, caf::exit_msg{caf::actor_addr{}, exit_reason});
  });
  self->set_down_handler(
      [self](caf::down_msg& dm) { on_child_down(self, dm); });
  for (size_t i = 0; i < st.children.size(); ++i)
    start_child(self, i);
  return {
      [self](get_children_atom) { return child_list{self->state.children}; },
      [self](get_restarts_atom) { return self->state.restarts; },
  };
}

} // namespace

caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_options opts) {
  return sys.spawn(supervisor_impl, std::move(opts));
}

child_spec supervisor_child(supervisor_options opts) {
  auto name = opts.name;
  return {std::move(name), [opts = std::move(opts)](caf::actor_system& sys) {
            return spawn_supervisor(sys, opts);
          }};
}

} // namespace faust::supervision
