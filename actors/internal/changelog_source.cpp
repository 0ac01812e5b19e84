#include "actors/internal/changelog_source.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/partition_writer.hpp"
#include "faust/detail/table_desc.hpp"
#include "storage/memory_store.hpp"
#include "storage/rocksdb_store.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/producer.hpp"
#include "transport/kafka/transaction_manager.hpp"
#include "transport/memory_broker.hpp"

#include <filesystem>

namespace faust::internal {

namespace {

using std::chrono::milliseconds;

class kafka_changelog_source final : public changelog_source {
public:
  kafka_changelog_source(
      std::unique_ptr<transport::kafka::partition_reader> reader,
      milliseconds timeout, const stop_control& stop)
      : reader_(std::move(reader)), timeout_(timeout), stop_(stop) {}

  result<std::pair<int64_t, int64_t>>
  watermarks(const models::topic_partition& tp) override {
    return reader_->watermarks(tp, stop_.bound(timeout_));
  }
  result<uint64_t>
  read(const std::vector<transport::kafka::partition_range>& ranges,
       const std::function<void(const models::message&)>& fn,
       const std::function<bool()>& give_up) override {
    // A stop ends a recovery or standby pass early: nothing of it is lost,
    // the store keeps the offset it reached.
    return reader_->read(ranges, fn, timeout_ * 6, [&] {
      return stop_.stopping() || (give_up && give_up());
    });
  }

private:
  std::unique_ptr<transport::kafka::partition_reader> reader_;
  milliseconds timeout_;
  const stop_control& stop_;
};

class memory_changelog_source final : public changelog_source {
public:
  explicit memory_changelog_source(transport::memory_broker& broker)
      : broker_(broker) {}

  result<std::pair<int64_t, int64_t>>
  watermarks(const models::topic_partition& tp) override {
    return std::pair<int64_t, int64_t>{0, broker_.high_watermark(tp)};
  }
  result<uint64_t>
  read(const std::vector<transport::kafka::partition_range>& ranges,
       const std::function<void(const models::message&)>& fn,
       const std::function<bool()>& give_up) override {
    uint64_t n = 0;
    for (auto& r : ranges)
      for (auto offset = r.from; offset < r.until;) {
        if (give_up && give_up())
          return error{errc::stopped, "reading " + r.tp.topic + "[" +
                                          std::to_string(r.tp.partition) +
                                          "]: stopped before the end"};
        auto got = broker_.fetch(r.tp, offset, 4096);
        if (got.empty())
          break;
        for (auto& m : got) {
          if (m.offset >= r.until)
            break;
          fn(m);
          ++n;
          offset = m.offset + 1;
        }
      }
    return n;
  }

private:
  transport::memory_broker& broker_;
};

} // namespace

result<std::unique_ptr<changelog_source>>
make_changelog_source(app_core& core) {
  if (!core.uses_kafka())
    return std::unique_ptr<changelog_source>(
        new memory_changelog_source(*core.broker));
  transport::kafka::partition_reader_options opts;
  opts.bootstrap = core.bootstrap;
  opts.client_id = core.app_id + "-changelog-reader";
  opts.read_committed = core.settings().processing_guarantee == "exactly_once";
  opts.extra = core.settings().consumer_properties;
  if (core.embedded_cluster)
    opts.extra["fetch.wait.max.ms"] = "10";
  auto reader = transport::kafka::partition_reader::create(opts);
  if (!reader)
    return reader.error();
  return std::unique_ptr<changelog_source>(new kafka_changelog_source(
      std::move(*reader), core.settings().broker_request_timeout, core.stop));
}

result<std::shared_ptr<storage::partition_store>>
open_store(app_core& core, const table_desc& table, int32_t partition) {
  if (!table.uses_rocksdb())
    return std::shared_ptr<storage::partition_store>(
        std::make_shared<storage::memory_store>(table.name + "-" +
                                                std::to_string(partition)));
  // Faust's tabledir: <datadir>/v<version>/tables/<table>-<partition>.db
  std::filesystem::path dir = core.settings().data_directory();
  dir /= "v" + std::to_string(core.settings().version);
  dir /= "tables";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return error{errc::store, "cannot create the table directory " +
                                  dir.string() + ": " + ec.message()};
  auto path = dir / (table.name + "-" + std::to_string(partition) + ".db");
  auto store = storage::rocksdb_store::open(path);
  if (!store)
    return store.error().with_context(partition_name(table, partition) + ": ");
  return std::shared_ptr<storage::partition_store>(std::move(*store));
}

} // namespace faust::internal
