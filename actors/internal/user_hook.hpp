#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

namespace faust::internal {

/// Runs the user's hook `fn` (`on_partitions_assigned`, `on_recover`,
/// `on_changelog_event`, `on_window_close`, ...) inside a runtime actor,
/// guarded: an exception is logged with `what` and counted in `errors`,
/// and the actor goes on. Returns false if the hook threw.
bool run_user_hook(std::string_view what, const std::function<void()>& fn,
                   std::atomic<uint64_t>& errors) noexcept;

} // namespace faust::internal
