#include "models/error.hpp"

namespace faust {

std::string_view to_string(errc code) noexcept {
  switch (code) {
  case errc::timeout:
    return "timeout";
  case errc::not_owner:
    return "not_owner";
  case errc::fenced:
    return "fenced";
  case errc::broker_unavailable:
    return "broker_unavailable";
  case errc::decode:
    return "decode";
  case errc::encode:
    return "encode";
  case errc::unknown_topic:
    return "unknown_topic";
  case errc::invalid_argument:
    return "invalid_argument";
  case errc::not_running:
    return "not_running";
  case errc::stopped:
    return "stopped";
  case errc::delivery_failed:
    return "delivery_failed";
  case errc::store:
    return "store";
  case errc::transaction:
    return "transaction";
  case errc::retry:
    return "retry";
  case errc::kafka:
    return "kafka";
  case errc::agent_crashed:
    return "agent_crashed";
  case errc::too_many_restarts:
    return "too_many_restarts";
  case errc::child_crashed:
    return "child_crashed";
  case errc::runtime_failure:
    return "runtime_failure";
  }
  return "unknown";
}

std::string error::describe() const {
  std::string out(to_string(code));
  if (!message.empty())
    out += ": " + message;
  return out;
}

error error::with_context(std::string_view prefix) const {
  return {code, std::string(prefix) + message};
}

} // namespace faust
