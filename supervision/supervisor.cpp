#include "supervision/supervisor.hpp"

#include "supervision/errors.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <memory>
#include <utility>

namespace faust::supervision {

namespace {

/// Tells a supervisor that the children it stopped in round `round` had
/// `stop_timeout` to end.
using stop_timeout_atom = caf::atom_constant<caf::atom("stoptimeo")>;

/// What a supervisor does once every child it stopped has ended.
enum class after_stop { nothing, restart_all, quit };

struct supervisor_state {
  supervisor_options opts;
  std::vector<caf::actor> children;
  std::vector<uint64_t> restarts;
  std::unique_ptr<restart_budget> budget;
  /// Children sent an exit whose down message has not come yet, with their
  /// names (still monitored).
  std::vector<std::pair<caf::actor, std::string>> stopping;
  after_stop after = after_stop::nothing;
  caf::error quit_reason;
  uint64_t stop_round = 0;
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

/// What the cleanup functor stops if we exit: running and stopping
/// children.
void publish_live(supervisor_state& st) {
  *st.live = st.children;
  for (auto& [child, name] : st.stopping)
    st.live->push_back(child);
}

void start_child(supervisor_actor* self, size_t index) {
  auto& st = self->state;
  auto child = st.opts.children[index].start(self->system());
  self->monitor(child);
  st.children[index] = child;
  publish_live(st);
}

/// Sends the child an exit; it stays monitored until its down message says
/// it ended.
void stop_child(supervisor_actor* self, size_t index,
                const caf::error& reason) {
  auto& st = self->state;
  if (auto& child = st.children[index]) {
    self->send_exit(child, reason);
    st.stopping.emplace_back(std::move(child), st.opts.children[index].name);
    child = nullptr;
    publish_live(st);
  }
}

void finish_stop(supervisor_actor* self) {
  auto& st = self->state;
  switch (std::exchange(st.after, after_stop::nothing)) {
  case after_stop::nothing:
    return;
  case after_stop::restart_all:
    for (size_t i = 0; i < st.children.size(); ++i) {
      ++st.restarts[i];
      start_child(self, i);
    }
    return;
  case after_stop::quit:
    self->quit(std::move(st.quit_reason));
    return;
  }
}

/// Does `next` once every stopping child has ended, or gives up on them
/// after `stop_timeout`.
void when_stopped(supervisor_actor* self, after_stop next,
                  caf::error reason = {}) {
  auto& st = self->state;
  st.after = next;
  st.quit_reason = std::move(reason);
  if (st.stopping.empty()) {
    finish_stop(self);
    return;
  }
  self->delayed_send(self, st.opts.stop_timeout, stop_timeout_atom::value,
                     ++st.stop_round);
}

/// Stops every child, then exits with `reason`.
void stop_all_then_quit(supervisor_actor* self, caf::error reason) {
  auto& st = self->state;
  if (st.after == after_stop::quit)
    return; // already on its way out
  for (size_t i = 0; i < st.children.size(); ++i)
    stop_child(self, i, reason);
  when_stopped(self, after_stop::quit, std::move(reason));
}

/// Exits with `reason` after stopping every child (the cleanup functor
/// also covers exits we did not choose).
void escalate(supervisor_actor* self, caf::error reason) {
  faust::log().error("supervisor '{}' escalates: {}", self->state.opts.name,
                     describe(reason));
  stop_all_then_quit(self, std::move(reason));
}

void on_stop_timeout(supervisor_actor* self, uint64_t round) {
  auto& st = self->state;
  if (round != st.stop_round || st.after == after_stop::nothing ||
      st.stopping.empty())
    return;
  std::string names;
  for (auto& [child, name] : st.stopping)
    names += (names.empty() ? "'" : ", '") + name + "'";
  auto why = "supervisor '" + st.opts.name + "': " + names +
             " did not stop within " +
             std::to_string(st.opts.stop_timeout.count()) + " ms";
  faust::log().error("{}: leaving {} behind", why,
                     st.stopping.size() == 1 ? "it" : "them");
  // Not waited for any longer (their down messages are ignored).
  st.stopping.clear();
  publish_live(st);
  if (st.after == after_stop::restart_all) {
    // Restarting next to a child that still runs could let both touch the
    // same state: give up instead.
    st.after = after_stop::nothing;
    escalate(self, make_error(errc::timeout, why));
    return;
  }
  finish_stop(self);
}

void on_child_down(supervisor_actor* self, const caf::down_msg& dm) {
  auto& st = self->state;
  if (auto it =
          std::find_if(st.stopping.begin(), st.stopping.end(),
                       [&](auto& s) { return s.first.address() == dm.source; });
      it != st.stopping.end()) {
    st.stopping.erase(it);
    publish_live(st);
    if (st.stopping.empty())
      finish_stop(self);
    return;
  }
  if (st.after != after_stop::nothing)
    return; // stopping everyone: nothing to restart
  size_t index = st.children.size();
  for (size_t i = 0; i < st.children.size(); ++i)
    if (st.children[i] && st.children[i].address() == dm.source)
      index = i;
  if (index == st.children.size())
    return; // a child we already replaced or stopped
  auto& spec = st.opts.children[index];
  st.children[index] = nullptr;
  publish_live(st);
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
  // one_for_all: stop the others, then, once they have ended, start
  // everyone again in order.
  for (size_t i = 0; i < st.children.size(); ++i)
    stop_child(self, i, caf::exit_reason::user_shutdown);
  when_stopped(self, after_stop::restart_all);
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
  // Told to exit (by its own supervisor, or the app's stop): the children
  // end first.
  self->set_exit_handler([self](caf::exit_msg& em) {
    if (em.reason)
      stop_all_then_quit(self, std::move(em.reason));
  });
  for (size_t i = 0; i < st.children.size(); ++i)
    start_child(self, i);
  return {
      [self](get_children_atom) { return child_list{self->state.children}; },
      [self](get_restarts_atom) { return self->state.restarts; },
      [self](stop_timeout_atom, uint64_t round) {
        on_stop_timeout(self, round);
      },
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
