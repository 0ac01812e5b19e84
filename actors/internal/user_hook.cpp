#include "actors/internal/user_hook.hpp"

#include "supervision/logger.hpp"

#include <exception>

namespace faust::internal {

bool run_user_hook(std::string_view what, const std::function<void()>& fn,
                   std::atomic<uint64_t>& errors) noexcept {
  try {
    fn();
    return true;
  } catch (const std::exception& e) {
    faust::log().error("{} failed: {} (the runtime goes on)", what, e.what());
  } catch (...) {
    faust::log().error("{} failed with an unknown exception (the runtime "
                       "goes on)",
                       what);
  }
  errors.fetch_add(1, std::memory_order_relaxed);
  return false;
}

} // namespace faust::internal
