#include "storage/rocksdb_store.hpp"

#include "storage/parse_number.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

namespace faust::storage {

namespace {

constexpr const char* offsets_family = "faust.offsets";
constexpr std::string_view changelog_key = "changelog";
constexpr std::string_view source_prefix = "source/";

/// `source/<topic>/<partition>`: Kafka topic names cannot contain '/'.
std::string source_key(const models::topic_partition& tp) {
  return std::string(source_prefix) + tp.topic + "/" +
         std::to_string(tp.partition);
}

error failure(const std::string& path, const char* what,
              const rocksdb::Status& s) {
  return error{errc::store,
               "RocksDB store " + path + ": " + what + ": " + s.ToString()};
}

} // namespace

result<std::unique_ptr<rocksdb_store>>
rocksdb_store::open(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    return error{errc::store,
                 "RocksDB store " + path.string() + ": cannot create " +
                     path.parent_path().string() + ": " + ec.message()};
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // Many small databases (one per table partition) share the machine:
  // keep each one's memory and background threads modest.
  options.write_buffer_size = 16 << 20;
  options.max_background_jobs = 2;
  std::vector<rocksdb::ColumnFamilyDescriptor> families{
      {rocksdb::kDefaultColumnFamilyName,
       rocksdb::ColumnFamilyOptions(options)},
      {offsets_family, rocksdb::ColumnFamilyOptions(options)}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto status =
      rocksdb::DB::Open(options, path.string(), families, &handles, &raw);
  if (!status.ok()) {
    std::string hint = status.IsIOError() && status.ToString().find("lock") !=
                                                 std::string::npos
                           ? " (is another worker using this --datadir?)"
                           : "";
    return error{errc::store, "RocksDB store " + path.string() +
                                  ": cannot open: " + status.ToString() + hint};
  }
  std::unique_ptr<rocksdb_store> store{new rocksdb_store()};
  store->path_ = path.string();
  store->db_.reset(raw);
  store->data_ = handles[0];
  store->offsets_ = handles[1];
  store->applied_ = store->read_offsets();
  return store;
}

rocksdb_store::~rocksdb_store() {
  if (!db_)
    return;
  db_->DestroyColumnFamilyHandle(data_);
  db_->DestroyColumnFamilyHandle(offsets_);
  db_->Close();
}

result<std::optional<std::string>> rocksdb_store::get(std::string_view key) {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), data_,
                    rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound())
    return std::optional<std::string>{};
  if (!s.ok())
    return failure(path_, "get", s);
  return std::optional<std::string>{std::move(value)};
}

result<void> rocksdb_store::write(const store_batch& batch) {
  rocksdb::WriteBatch wb;
  for (auto& w : batch.writes()) {
    auto s = w.value ? wb.Put(data_, w.key, *w.value) : wb.Delete(data_, w.key);
    if (!s.ok())
      return failure(path_, "write", s);
  }
  // Offsets only move forward: a batch never lowers what is stored.
  auto current = offsets();
  auto& newer = batch.offsets();
  for (auto& [tp, offset] : newer.sources)
    if (!current.reflects({tp, offset}))
      wb.Put(offsets_, source_key(tp), std::to_string(offset));
  if (newer.changelog &&
      (!current.changelog || *newer.changelog > *current.changelog))
    wb.Put(offsets_, rocksdb::Slice(changelog_key.data(), changelog_key.size()),
           std::to_string(*newer.changelog));
  auto s = db_->Write(rocksdb::WriteOptions(), &wb);
  if (!s.ok())
    return failure(path_, "write", s);
  std::lock_guard lock(offsets_mutex_);
  applied_.merge(newer);
  return {};
}

void rocksdb_store::for_each(
    const std::function<bool(std::string_view, std::string_view)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it{
      db_->NewIterator(rocksdb::ReadOptions(), data_)};
  for (it->SeekToFirst(); it->Valid(); it->Next())
    if (!fn(it->key().ToStringView(), it->value().ToStringView()))
      return;
}

uint64_t rocksdb_store::size() {
  // RocksDB's key estimate is far off after deletes: count instead.
  uint64_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it{
      db_->NewIterator(rocksdb::ReadOptions(), data_)};
  for (it->SeekToFirst(); it->Valid(); it->Next())
    ++n;
  return n;
}

partition_store::footprint rocksdb_store::estimate() {
  footprint f;
  uint64_t v = 0;
  if (db_->GetIntProperty(data_, "rocksdb.estimate-num-keys", &v))
    f.keys = v;
  if (db_->GetIntProperty(data_, "rocksdb.total-sst-files-size", &v))
    f.bytes += v;
  if (db_->GetIntProperty(data_, "rocksdb.cur-size-all-mem-tables", &v))
    f.bytes += v;
  return f;
}

applied_offsets rocksdb_store::offsets() {
  std::lock_guard lock(offsets_mutex_);
  return applied_;
}

applied_offsets rocksdb_store::read_offsets() {
  applied_offsets out;
  std::unique_ptr<rocksdb::Iterator> it{
      db_->NewIterator(rocksdb::ReadOptions(), offsets_)};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = it->key().ToStringView();
    auto value = parse_number<int64_t>(it->value().ToStringView());
    if (!value)
      continue;
    if (key == changelog_key) {
      out.changelog = *value;
    } else if (key.starts_with(source_prefix)) {
      auto rest = key.substr(source_prefix.size());
      auto slash = rest.rfind('/');
      if (slash == std::string_view::npos)
        continue;
      if (auto partition = parse_number<int64_t>(rest.substr(slash + 1)))
        out.sources[{std::string(rest.substr(0, slash)),
                     static_cast<int32_t>(*partition)}] = *value;
    }
  }
  return out;
}

result<void> rocksdb_store::clear() {
  rocksdb::WriteBatch wb;
  for (auto* family : {data_, offsets_}) {
    std::unique_ptr<rocksdb::Iterator> it{
        db_->NewIterator(rocksdb::ReadOptions(), family)};
    for (it->SeekToFirst(); it->Valid(); it->Next())
      wb.Delete(family, it->key());
  }
  auto s = db_->Write(rocksdb::WriteOptions(), &wb);
  if (!s.ok())
    return failure(path_, "clear", s);
  std::lock_guard lock(offsets_mutex_);
  applied_ = {};
  return {};
}

} // namespace faust::storage
