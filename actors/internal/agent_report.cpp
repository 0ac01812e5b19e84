#include "faust/detail/agent_report.hpp"

#include "actors/internal/app_core.hpp"
#include "supervision/logger.hpp"

namespace faust::internal {

void report_reply_failed(const std::string& agent, const std::string& reply_to,
                         const std::string& why) {
  faust::log().error("agent '{}': cannot reply to '{}': {}", agent, reply_to,
                     why);
}

void report_operator_failed(app_core& core, const std::string& agent,
                            const models::message& m, const char* what) {
  faust::log().error("agent '{}': stream operator failed on {}[{}]@{}: "
                     "{} (record skipped)",
                     agent, m.topic, m.partition, m.offset, what);
  core.stats.agent_errors.fetch_add(1, std::memory_order_relaxed);
}

process_outcome report_crash(app_core& core, const std::string& agent,
                             const models::message& m, size_t next,
                             std::exception_ptr error) {
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  faust::log().error("agent '{}' crashed processing {}[{}]@{}: {}", agent,
                     m.topic, m.partition, m.offset, what);
  core.stats.agent_errors.fetch_add(1, std::memory_order_relaxed);
  return {process_outcome::crashed, next,
          "agent '" + agent + "' failed on " + m.topic + "[" +
              std::to_string(m.partition) + "]@" + std::to_string(m.offset) +
              ": " + what};
}

void report_returned(const std::string& agent) {
  faust::log().info("agent '{}' returned; its instance stops", agent);
}

std::shared_ptr<std::atomic<uint64_t>>
agent_event_counter(app_core& core, const std::string& agent) {
  return core.board->agent_events(agent);
}

void count_events(app_core& core, std::atomic<uint64_t>& agent_events,
                  uint64_t processed, uint64_t filtered) {
  if (processed) {
    core.stats.events_processed.fetch_add(processed, std::memory_order_relaxed);
    agent_events.fetch_add(processed, std::memory_order_relaxed);
  }
  if (filtered)
    core.stats.events_filtered.fetch_add(filtered, std::memory_order_relaxed);
}

} // namespace faust::internal
