#pragma once

#include "faust/detail/processor.hpp"
#include "models/message.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>

/// What the typed agent code (agent_runtime.hpp, agent_processors.hpp)
/// reports to the log and the monitor, out of line so that those templates
/// need neither the logger nor the app's internals.
namespace faust::internal {

class app_core;

/// Logs that agent `agent` could not send its reply to `reply_to`.
void report_reply_failed(const std::string& agent, const std::string& reply_to,
                         const std::string& why);

/// Logs and counts a stream operator that threw on `m` (the record is
/// skipped).
void report_operator_failed(app_core& core, const std::string& agent,
                            const models::message& m, const char* what);

/// Logs and counts agent code that threw on `m` (`error`); returns the
/// crash outcome, which resumes at `next`.
process_outcome report_crash(app_core& core, const std::string& agent,
                             const models::message& m, size_t next,
                             std::exception_ptr error);

/// Logs that a coroutine agent returned (its instance stops).
void report_returned(const std::string& agent);

/// The monitor's event counter of agent `agent` (`events_by_task`).
std::shared_ptr<std::atomic<uint64_t>>
agent_event_counter(app_core& core, const std::string& agent);

/// Adds events processed and filtered out to the monitor (`agent_events`:
/// the agent's own counter).
void count_events(app_core& core, std::atomic<uint64_t>& agent_events,
                  uint64_t processed, uint64_t filtered);

} // namespace faust::internal
