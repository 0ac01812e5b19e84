#pragma once

#include "models/message.hpp"
#include "models/result.hpp"
#include "transport/kafka/client_config.hpp"
#include "transport/kafka/handles.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace faust::transport::kafka {

/// A stretch of one partition to read: offsets `[from, until)`.
struct partition_range {
  models::topic_partition tp;
  int64_t from = 0;
  /// The high watermark when reading began: reading stops here.
  int64_t until = 0;
};

struct partition_reader_options {
  /// `host:port,...`
  std::string bootstrap{};
  std::string client_id = "faust-reader";
  /// Hide records of aborted transactions (exactly_once).
  bool read_committed = false;
  /// librdkafka properties over ours.
  properties extra{};
};

/// Reads partitions from given offsets up to given ends, outside any
/// consumer group (no commits, no rebalances): how table partitions replay
/// their changelogs on recovery and how standbys follow them. Offsets an
/// end cannot reach (compacted away, transaction markers) count as read.
/// Not thread-safe: one owner.
class partition_reader {
public:
  static result<std::unique_ptr<partition_reader>>
  create(partition_reader_options opts);
  ~partition_reader();
  partition_reader(const partition_reader&) = delete;
  partition_reader& operator=(const partition_reader&) = delete;

  /// The low and high watermarks of `tp`, asked of the broker (the offset
  /// of the oldest record kept, and the offset the next record gets).
  result<std::pair<int64_t, int64_t>>
  watermarks(const models::topic_partition& tp,
             std::chrono::milliseconds timeout);

  /// Reads every range at once and calls `fn` for each record, in offset
  /// order per partition. A record's key and value are valid only during
  /// the call. Fails with the partition's name if the broker reports an
  /// error, or if no range moves for `stall_timeout`. Returns the number of
  /// records read.
  /// `give_up`, asked between polls, ends reading early with
  /// `errc::stopped`; a next `read` whose ranges start where this one
  /// stopped continues without assigning the partitions again.
  result<uint64_t> read(const std::vector<partition_range>& ranges,
                        const std::function<void(const models::message&)>& fn,
                        std::chrono::milliseconds stall_timeout,
                        const std::function<bool()>& give_up = {});

private:
  partition_reader() = default;
  client_ptr client_;
  /// The partitions assigned now, with the next offset to read (kept when
  /// a read gives up).
  std::map<models::topic_partition, int64_t> positions_;
};

} // namespace faust::transport::kafka
