#pragma once

#include "supervision/restart_budget.hpp"
#include "supervision/strategy.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace faust::supervision {

/// How to start one child. `start` spawns the child actor and returns its
/// handle; it runs again for every restart, so a restarted child is a new
/// actor with fresh state.
struct child_spec {
  std::string name{};
  std::function<caf::actor(caf::actor_system&)> start;
  /// False for a child whose state cannot be rebuilt by a restart (a Kafka
  /// consumer in a group, a dispatcher holding queued work): its crash makes
  /// the supervisor escalate (`errc::child_crashed`), whatever the strategy.
  bool restartable = true;
};

struct supervisor_options {
  /// Used in logs and exit reasons (`agent:examples.adding`).
  std::string name{};
  strategy how = strategy::one_for_one;
  restart_limits limits{};
  std::vector<child_spec> children{};
  /// How long the supervisor waits for children it stopped to end (before
  /// a one_for_all restart, or before it exits itself). A child still
  /// running then is reported by name and left behind.
  std::chrono::milliseconds stop_timeout{5000};
};

/// Asks a supervisor for its children, in spec order (a child given up on
/// by `forfeit_one_for_one` is an invalid handle): reply `child_list`.
using get_children_atom = caf::atom_constant<caf::atom("children")>;
/// Asks a supervisor how often each child was restarted: reply
/// `std::vector<uint64_t>` in spec order.
using get_restarts_atom = caf::atom_constant<caf::atom("restarts")>;

/// Reply to `get_children_atom`.
struct child_list {
  std::vector<caf::actor> actors{};
};

/// Spawns a supervisor that starts `opts.children` in order and monitors
/// them. A child that ends normally is not restarted. A child that crashes
/// (any other exit reason) and is not `restartable` makes the supervisor
/// escalate; otherwise it is handled by `opts.how`; when restarts exceed
/// `opts.limits` the supervisor stops every child and exits with
/// `errc::too_many_restarts`, so that its own supervisor (which monitors it
/// like any child) decides what happens next: that is escalation. When the
/// supervisor exits for any reason, its children are sent the same exit
/// reason.
///
/// Stops are ordered, as in Erlang/OTP: a one_for_all restart starts the
/// new generation only once every child it stopped has ended, and a
/// supervisor that exits (escalating, or told to by an exit message) does
/// so only once its children have ended. So a replacement never runs next
/// to the actor it replaces (an agent instance's successor finds the table
/// write sides its predecessor parked as it ended). Both waits are bounded
/// by `opts.stop_timeout`.
caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_options opts);

/// A child spec whose child is itself a supervisor, for supervision trees.
child_spec supervisor_child(supervisor_options opts);

} // namespace faust::supervision

#include <caf/allowed_unsafe_message_type.hpp>
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(faust::supervision::child_list)
