#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>

namespace faust::internal {

class app_core;

/// Stamps the worker's lease (`app_core::holds_lease`) every 100 ms from a
/// thread of its own. A gap of half the session timeout between two stamps
/// means the whole process was stopped (SIGSTOP) or starved: the lease is
/// then suspended until the group confirms the membership (the consumer
/// ends the suspension on an assignment or an orderly revoke) or a session
/// timeout passes. A consumer call that blocks does not lapse it:
/// librdkafka's own threads keep the group membership alive meanwhile.
caf::actor spawn_lease_clock(caf::actor_system& sys,
                             std::shared_ptr<app_core> core);

} // namespace faust::internal
