#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>

namespace faust::internal {

class app_core;

/// Samples the monitor once a second (`monitor_board::sample`): events and
/// messages per second, the mean event runtime, the send latency of the
/// second. The per-event paths only add to counters; this turns them into
/// rates, so no event reads a clock for them. When the log goes to a
/// terminal it also draws the recovery progress bar.
caf::actor spawn_monitor_sampler(caf::actor_system& sys,
                                 std::shared_ptr<app_core> core);

} // namespace faust::internal
