#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace faust {

/// Arguments of `app.topic(...)`, as in Faust. Unset values take the app's
/// settings (`topic_partitions`, `key_serializer`, ...).
struct topic_options {
  /// Partitions when the app creates the topic (0 is an error).
  std::optional<int32_t> partitions{};
  std::optional<std::string> key_serializer{};
  std::optional<std::string> value_serializer{};
  /// `retention.ms` of the topic.
  std::optional<std::chrono::milliseconds> retention{};
  /// `cleanup.policy` gets `compact` / `delete`.
  bool compacting = false;
  bool deleting = false;
  std::optional<int16_t> replicas{};
  /// Track acks and commit offsets (false: never commit, as for changelogs).
  bool acks = true;
  /// We own the topic: the app creates it.
  bool internal = false;
  /// Extra topic configuration for creation.
  std::map<std::string, std::string> config{};
  /// Deliver null values (tombstones) instead of treating them as errors.
  bool allow_empty = false;
};

/// Per-send arguments of `topic.send(...)`.
struct send_options {
  /// Explicit partition; unset: murmur2 of the key (round-robin if null).
  std::optional<int32_t> partition{};
  /// Milliseconds since the epoch; unset: now.
  std::optional<int64_t> timestamp_ms{};
  std::map<std::string, std::string> headers{};
};

} // namespace faust
