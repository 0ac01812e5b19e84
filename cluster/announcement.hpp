#pragma once

#include "models/message.hpp"
#include "models/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace faust::cluster {

/// Whether a worker serves a partition it owns yet: its tables are still
/// being rebuilt from their changelogs (`recovering`), or it processes the
/// partition's records and answers requests for its keys (`ready`).
enum class partition_state { recovering, ready };

/// `"recovering"` or `"ready"`.
std::string_view to_string(partition_state state) noexcept;

/// A partition a worker owns, and whether it serves it yet.
struct owned_partition {
  models::topic_partition tp;
  partition_state state = partition_state::recovering;
  bool operator==(const owned_partition&) const = default;
};

/// What a worker says of itself on the app's cluster topic
/// (`<app_id>-__cluster`, compacted, keyed by worker id): where its
/// gateway listens, which process it is, and which partitions it owns and
/// follows as a standby, as of a Kafka group generation. A clean stop
/// writes a tombstone (a null value) under the worker id.
///
/// Kafka's consumer group stays the authority on ownership: an
/// announcement is what the worker was given, as of `generation`; a newer
/// generation's announcements supersede it.
struct announcement {
  /// The format this code writes; records of another version are skipped
  /// by readers (with a note) rather than misread.
  static constexpr int current_version = 1;

  int version = current_version;
  /// Unique in the app (`<host>:<pid>` by default): the record key.
  std::string worker_id;
  /// The worker's CAF endpoint: its gateway actor is published there.
  std::string host;
  uint16_t port = 0;
  /// Changes with every start of the process: a restarted worker with the
  /// same id is another incarnation, and its old connections are stale.
  std::string incarnation;
  /// The worker's Kafka group member id and the group generation the
  /// partitions below were assigned in (-1 before the first assignment).
  std::string member_id;
  int32_t generation = -1;
  std::vector<owned_partition> active;
  std::vector<models::topic_partition> standby;
  /// When it was written (milliseconds since the Unix epoch).
  int64_t written_ms = 0;
  /// The worker's web server (its `canonical_url`); empty without one.
  std::string web_url;

  bool operator==(const announcement&) const = default;
};

/// The announcement as the record value: a JSON object
/// (`{"version": 1, "worker": ..., "host": ..., "port": ..., "incarnation":
/// ..., "member_id": ..., "generation": ..., "active": [{"topic": ...,
/// "partition": ..., "state": "ready"}], "standby": [{"topic": ...,
/// "partition": ...}], "written_ms": ..., "web_url": ...}`).
std::string encode(const announcement& a);

/// Reads a record value written by `encode`. A malformed value, a field of
/// the wrong type or an unknown partition state is an `errc::decode` error
/// naming the worker (`key`) and the field.
result<announcement> decode(std::string_view key, std::string_view value);

} // namespace faust::cluster
