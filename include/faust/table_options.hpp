#pragma once

#include "models/message.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace faust {

/// Options of `app.table` (Faust's `app.Table` arguments).
struct table_options {
  /// Partitions of the table and its changelog; unset: `topic_partitions`.
  /// Must equal the partition count of the topic whose agent writes it
  /// (co-partitioning): a mismatch is an error at start.
  std::optional<int32_t> partitions{};
  /// Shown by the `tables` command.
  std::string help{};
  /// `memory://` or `rocksdb://`; unset: the app's `store` setting.
  std::optional<std::string> store{};
  /// Unset: `<app_id>-<name>-changelog`.
  std::string changelog_topic{};
  /// Serializers of keys and values in the changelog; unset: `raw` for
  /// `std::string`-like bytes types declared raw, else `json` (Faust: a
  /// table's key and value serializer is `json` unless set, not the app's).
  std::optional<std::string> key_serializer{};
  std::optional<std::string> value_serializer{};
  /// How many changelog records recovery applies per store write.
  size_t recovery_buffer_size = 1000;
  /// The same for standbys following the changelog; unset: as recovery.
  std::optional<size_t> standby_buffer_size{};
  /// Called for every changelog record read during recovery and while a
  /// standby follows the changelog (on the table's thread; keep it short).
  std::function<void(const models::message&)> on_changelog_event{};
  /// Called after each recovery of this table's partitions completes.
  std::function<void()> on_recover{};
};

} // namespace faust
