#include "faust/detail/wake.hpp"

namespace faust::internal {

namespace {
thread_local wake_target* current = nullptr;
} // namespace

wake_target* current_wake_target() noexcept {
  return current;
}

wake_target_scope::wake_target_scope(wake_target* target) noexcept
    : previous_(current) {
  current = target;
}

wake_target_scope::~wake_target_scope() {
  current = previous_;
}

} // namespace faust::internal
