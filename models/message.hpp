#pragma once

#include "models/bytes.hpp"

#include <any>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faust::models {

/// A Kafka record header: a name and opaque bytes.
struct header {
  std::string key;
  std::string value;
  bool operator==(const header&) const = default;
};

/// A topic name and partition number: the unit of ownership and ordering.
struct topic_partition {
  std::string topic;
  int32_t partition = 0;
  bool operator==(const topic_partition&) const = default;
  auto operator<=>(const topic_partition&) const = default;
};

/// A record as it travels through a transport: raw key and value bytes plus
/// where it came from. `key`/`value` are empty optionals for null (a null
/// value is a tombstone); they share their bytes (see `bytes`), so copying a
/// message copies no key or value. Channel messages skip serialization and
/// carry the sent object in `key_object`/`value_object` instead of bytes.
struct message {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  /// Milliseconds since the Unix epoch.
  int64_t timestamp_ms = 0;
  std::optional<bytes> key;
  std::optional<bytes> value;
  std::vector<header> headers;
  std::any key_object;
  std::any value_object;

  /// Returns the value of the first header called `name`, if any.
  const std::string* find_header(std::string_view name) const {
    for (auto& h : headers)
      if (h.key == name)
        return &h.value;
    return nullptr;
  }
};

/// A record as stored in a log and shared by every reader: fetching a batch
/// copies pointers, not keys and values.
using message_ptr = std::shared_ptr<const message>;

} // namespace faust::models

template <> struct std::hash<faust::models::topic_partition> {
  size_t operator()(const faust::models::topic_partition& tp) const noexcept {
    return std::hash<std::string>{}(tp.topic) * 31 + tp.partition;
  }
};
