#pragma once

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include <cstdint>
#include <string>

namespace faust::supervision {

/// Exit reasons of faust-cpp actors (CAF error category "faust").
enum class errc : uint8_t {
  /// An agent instance's user code threw while processing an event.
  agent_crashed = 1,
  /// A supervisor exceeded its restart limits and gave up.
  too_many_restarts,
  /// A supervisor with the crashing strategy saw a child crash.
  child_crashed,
};

std::string to_string(errc x);

/// An exit reason with our category and a human-readable context.
caf::error make_error(errc code, std::string context);

/// Renders any CAF error readably (CAF 0.17 prints our codes as numbers).
std::string describe(const caf::error& err);

} // namespace faust::supervision
