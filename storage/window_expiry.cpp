#include "storage/window_expiry.hpp"

#include <algorithm>

namespace faust::storage {

void window_expiry::track(const std::string& key, double end) {
  if (!window_.expires())
    return; // Faust keeps no bookkeeping for windows that never expire
  latest_ = std::max(latest_, end);
  if (by_end_[end].insert(key).second)
    ++size_;
}

std::vector<std::string> window_expiry::take_expired() {
  std::vector<std::string> out;
  while (!by_end_.empty() && window_.stale(by_end_.begin()->first, latest_)) {
    auto node = by_end_.extract(by_end_.begin());
    size_ -= node.mapped().size();
    for (auto& key : node.mapped())
      out.push_back(key);
  }
  return out;
}

} // namespace faust::storage
