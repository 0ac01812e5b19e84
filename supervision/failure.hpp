#pragma once

#include "supervision/errors.hpp"

#include <caf/error.hpp>

#include <exception>
#include <string>

namespace faust::supervision {

/// The exit reason of an actor `who` whose handler threw `e`
/// (`errc::runtime_failure` with what it threw), so its supervisor's log
/// says which runtime actor failed and why.
caf::error failure_of(const std::string& who, const std::exception_ptr& e);

/// Makes an exception thrown by `self`'s handlers end it with
/// `failure_of(who, ...)` instead of CAF's anonymous runtime_error.
template <class Self> void name_failures(Self* self, std::string who) {
  self->set_exception_handler(
      [who = std::move(who)](caf::scheduled_actor*, std::exception_ptr& e) {
        return failure_of(who, e);
      });
}

} // namespace faust::supervision
