#include "supervision/failure.hpp"

#include "supervision/logger.hpp"

namespace faust::supervision {

caf::error failure_of(const std::string& who, const std::exception_ptr& e) {
  std::string what = "unknown exception";
  try {
    if (e)
      std::rethrow_exception(e);
  } catch (const std::exception& x) {
    what = x.what();
  } catch (...) {
  }
  faust::log().error("{} failed: {}", who, what);
  return make_error(errc::runtime_failure, who + ": " + what);
}

} // namespace faust::supervision
