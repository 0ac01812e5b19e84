#pragma once

#include "models/message.hpp"
#include "models/result.hpp"
#include "transport/kafka/partition_reader.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace faust::storage {
class partition_store;
}

namespace faust::internal {

class app_core;
struct table_desc;

/// Where table partitions read changelogs: Kafka (a reader outside the
/// consumer group, one per table partition actor) or the in-process log
/// for `memory://` apps. Not thread-safe: one owner.
class changelog_source {
public:
  virtual ~changelog_source() = default;
  /// The offset of the oldest record kept, and of the next one.
  virtual result<std::pair<int64_t, int64_t>>
  watermarks(const models::topic_partition& tp) = 0;
  /// Reads every range, calling `fn` per record (valid during the call),
  /// until done, or until `give_up` says so (`errc::stopped`, with what was
  /// read applied: reading on from there continues without a restart).
  virtual result<uint64_t>
  read(const std::vector<transport::kafka::partition_range>& ranges,
       const std::function<void(const models::message&)>& fn,
       const std::function<bool()>& give_up) = 0;
};

/// The changelog source of `core`'s broker.
result<std::unique_ptr<changelog_source>> make_changelog_source(app_core& core);

/// The store of `table`'s partition `partition`: in memory, or the RocksDB
/// database `<datadir>/v<version>/tables/<table>-<partition>.db`.
result<std::shared_ptr<storage::partition_store>>
open_store(app_core& core, const table_desc& table, int32_t partition);

} // namespace faust::internal
