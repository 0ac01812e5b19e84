#include "storage/memory_store.hpp"

#include <mutex>

namespace faust::storage {

result<std::optional<std::string>> memory_store::get(std::string_view key) {
  std::shared_lock lock(mutex_);
  auto it = data_.find(key);
  if (it == data_.end())
    return std::optional<std::string>{};
  return std::optional<std::string>{it->second};
}

result<std::optional<std::string>>
memory_store::get_as_writer(std::string_view key) {
  // Only the writer changes `data_`: reading it from there needs no lock.
  auto it = data_.find(key);
  if (it == data_.end())
    return std::optional<std::string>{};
  return std::optional<std::string>{it->second};
}

result<void> memory_store::write(const store_batch& batch) {
  std::unique_lock lock(mutex_);
  for (auto& w : batch.writes()) {
    auto it = data_.find(w.key);
    if (it != data_.end()) {
      bytes_ -= it->first.size() + it->second.size();
      if (!w.value) {
        data_.erase(it);
        continue;
      }
      it->second = *w.value;
      bytes_ += it->first.size() + it->second.size();
    } else if (w.value) {
      data_.emplace(w.key, *w.value);
      bytes_ += w.key.size() + w.value->size();
    }
  }
  offsets_.merge(batch.offsets());
  return {};
}

void memory_store::for_each(
    const std::function<bool(std::string_view, std::string_view)>& fn) {
  std::shared_lock lock(mutex_);
  for (auto& [k, v] : data_)
    if (!fn(k, v))
      return;
}

uint64_t memory_store::size() {
  std::shared_lock lock(mutex_);
  return data_.size();
}

partition_store::footprint memory_store::estimate() {
  std::shared_lock lock(mutex_);
  return {data_.size(), bytes_};
}

applied_offsets memory_store::offsets() {
  std::shared_lock lock(mutex_);
  return offsets_;
}

result<void> memory_store::clear() {
  std::unique_lock lock(mutex_);
  data_.clear();
  bytes_ = 0;
  offsets_ = {};
  return {};
}

} // namespace faust::storage
