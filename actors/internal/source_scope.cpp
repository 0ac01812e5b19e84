#include "actors/internal/source_scope.hpp"

namespace faust::internal {

namespace {
thread_local const models::topic_partition* source = nullptr;
} // namespace

const models::topic_partition* current_source() noexcept {
  return source;
}

source_scope::source_scope(const models::topic_partition* tp) noexcept
    : previous_(source) {
  source = tp;
}

source_scope::~source_scope() {
  source = previous_;
}

} // namespace faust::internal
