#pragma once

#include "storage/store.hpp"

#include <filesystem>
#include <memory>
#include <mutex>

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
} // namespace rocksdb

namespace faust::storage {

/// A table partition in its own RocksDB database (`rocksdb://`, the default
/// for workers): keys and values in the default column family, the
/// offsets the state reflects in the `faust.offsets` column family, written
/// in the same `WriteBatch` as the data they describe. Writes go through the
/// write-ahead log without fsync: they survive a killed process, not a
/// machine losing power (the changelog covers that).
class rocksdb_store final : public partition_store {
public:
  /// Opens the database at `path`, creating it if missing. Fails with the
  /// path and RocksDB's reason, e.g. when another worker holds its lock.
  static result<std::unique_ptr<rocksdb_store>>
  open(const std::filesystem::path& path);
  ~rocksdb_store() override;

  result<std::optional<std::string>> get(std::string_view key) override;
  result<void> write(const store_batch& batch) override;
  void for_each(const std::function<bool(std::string_view, std::string_view)>&
                    fn) override;
  uint64_t size() override;
  footprint estimate() override;
  applied_offsets offsets() override;
  result<void> clear() override;
  std::string describe() const override { return "rocksdb://" + path_; }

private:
  rocksdb_store() = default;
  /// The offsets column family, read once at open; `applied_` follows it.
  applied_offsets read_offsets();
  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* data_ = nullptr;
  rocksdb::ColumnFamilyHandle* offsets_ = nullptr;
  std::mutex offsets_mutex_;
  applied_offsets applied_;
};

} // namespace faust::storage
