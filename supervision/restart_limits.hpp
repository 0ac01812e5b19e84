#pragma once

#include <chrono>
#include <cstddef>

namespace faust::supervision {

/// "At most `max_restarts` restarts within `period`" (OTP's intensity and
/// period). Faust's agents use 100 restarts within 1 s.
///
/// mode (Faust's service library) implements this as a token bucket whose
/// capacity is `over` and refill rate `max_restarts`, which lets far more
/// restarts through than the numbers say; we count restarts in a sliding
/// window, as the names promise.
struct restart_limits {
  size_t max_restarts = 100;
  std::chrono::milliseconds period{1000};
};

} // namespace faust::supervision
