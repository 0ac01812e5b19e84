#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faust::transport::kafka {

/// What the monitor takes from a client's statistics document (librdkafka's
/// `statistics.interval.ms` JSON, see librdkafka's STATISTICS.md).
struct client_statistics {
  /// One partition as the client sees it. Offsets librdkafka does not know
  /// are -1.
  struct partition {
    std::string topic;
    int32_t partition = 0;
    /// The broker's high watermark (end offset) at the last fetch.
    int64_t end_offset = -1;
    /// The last offset committed for the group.
    int64_t committed_offset = -1;
    /// Records this client produced to it so far (a producer's).
    int64_t sent = 0;
  };
  std::vector<partition> partitions;

  /// Records produced so far per topic (a producer's; the sum over its
  /// partitions).
  std::map<std::string, int64_t> sent_by_topic() const;

  /// Reads a document; nullopt if it is not one. The internal partition
  /// (-1, records not yet partitioned) is left out.
  static std::optional<client_statistics> parse(std::string_view json);
};

} // namespace faust::transport::kafka
