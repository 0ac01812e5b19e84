#pragma once

#include "storage/store.hpp"
#include "storage/string_hash.hpp"

#include <memory>
#include <shared_mutex>
#include <unordered_map>

namespace faust::storage {

/// A table partition kept in memory (`memory://`): nothing survives the
/// process, so a restarted worker replays the whole changelog. Within one
/// run the offsets are kept, so a partition assigned back to this worker
/// replays only what it missed. Iteration order is unspecified.
class memory_store final : public partition_store {
public:
  explicit memory_store(std::string label) : label_(std::move(label)) {}

  result<std::optional<std::string>> get(std::string_view key) override;
  result<std::optional<std::string>>
  get_as_writer(std::string_view key) override;
  result<void> write(const store_batch& batch) override;
  void for_each(const std::function<bool(std::string_view, std::string_view)>&
                    fn) override;
  uint64_t size() override;
  footprint estimate() override;
  applied_offsets offsets() override;
  result<void> clear() override;
  std::string describe() const override { return "memory://" + label_; }

private:
  std::string label_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::string, string_hash, std::equal_to<>>
      data_;
  applied_offsets offsets_;
  /// The keys' and values' bytes (changed under the lock by writes).
  uint64_t bytes_ = 0;
};

} // namespace faust::storage
