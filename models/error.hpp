#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faust {

/// What kind of failure an `error` is. Code branches on these, never on
/// message text; the message says what happened, where.
enum class errc : uint8_t {
  /// A wait ran out (an ask without reply, a broker call, a flush).
  timeout = 1,
  /// The key's partition is owned by another worker (or by none here).
  not_owner,
  /// A newer producer with the same transactional id took over.
  fenced,
  /// No broker answered.
  broker_unavailable,
  /// Bytes do not decode as the declared type.
  decode,
  /// A value cannot be encoded with the requested serializer.
  encode,
  /// A topic that does not exist, or differs from its declaration.
  unknown_topic,
  /// A setting, name, expression or argument that cannot work.
  invalid_argument,
  /// The app is not running (not started yet, or stopping).
  not_running,
  /// Given up because the app is stopping.
  stopped,
  /// A record the broker did not accept or never acknowledged.
  delivery_failed,
  /// A table store could not be opened, read or written.
  store,
  /// A Kafka transaction could not begin, commit or abort.
  transaction,
  /// The receiver is busy: try again later.
  retry,
  /// A Kafka client call failed in another way.
  kafka,
  /// An agent instance's user code threw while processing an event.
  agent_crashed,
  /// A supervisor exceeded its restart limits and gave up.
  too_many_restarts,
  /// A supervisor with the crashing strategy saw a child crash.
  child_crashed,
  /// A runtime actor failed in a way that stops the worker.
  runtime_failure,
};

/// The code's name (`timeout`, `not_owner`, ...).
std::string_view to_string(errc code) noexcept;

/// An error carried by value across API edges: a code to act on and a
/// message with the context (what, which topic, partition, key, agent).
struct error {
  error(errc code, std::string message)
      : code(code), message(std::move(message)) {}

  errc code;
  std::string message;

  /// `"<code>: <message>"`, for logs.
  std::string describe() const;
  /// The same code with `prefix` in front of the message (more context on
  /// the way up: `"table 'views' partition 3: " + ...`).
  error with_context(std::string_view prefix) const;
};

} // namespace faust
