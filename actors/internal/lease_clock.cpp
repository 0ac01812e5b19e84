#include "actors/internal/lease_clock.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/messages.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

#include <chrono>

namespace faust::internal {

namespace {

/// One stamp; after a gap of half the session timeout the lease is
/// suspended for a session timeout.
void renew_lease(app_core& core) {
  using std::chrono::nanoseconds;
  auto now = std::chrono::duration_cast<nanoseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
                 .count();
  auto last = core.lease_stamp_ns.load();
  auto session = std::chrono::duration_cast<nanoseconds>(
                     core.settings().broker_session_timeout)
                     .count();
  if (last > 0 && now - last >= session / 2) {
    // Suspended before the new stamp: a reader of both in the other order
    // sees either the gap or the suspension.
    core.lease_hold_until_ns = now + session;
    faust::log().warn(
        "this worker was unresponsive for {} ms (stopped?): it serves no "
        "direct calls, leads nothing and holds its table writes until the "
        "group confirms it",
        (now - last) / 1000000);
  }
  core.lease_stamp_ns = now;
}

// A function with an argument, not a capturing lambda: CAF 0.17 spawns an
// argument-less functor through a null tuple (UBSan reports the reference).
caf::behavior lease_clock_impl(caf::event_based_actor* self,
                               std::shared_ptr<app_core> core) {
  supervision::name_failures(self, "the lease clock");
  renew_lease(*core);
  self->delayed_send(self, std::chrono::milliseconds{100}, tick_atom::value);
  return {
      [self, core](tick_atom) {
        renew_lease(*core);
        self->delayed_send(self, std::chrono::milliseconds{100},
                           tick_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_lease_clock(caf::actor_system& sys,
                             std::shared_ptr<app_core> core) {
  return sys.spawn<caf::detached>(lease_clock_impl, std::move(core));
}

} // namespace faust::internal
