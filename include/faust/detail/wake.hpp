#pragma once

#include <functional>

namespace faust::internal {

/// Where user code that may `co_await` runs (an agent instance): how an
/// awaitable of faust-cpp that waits for something outside the agent's
/// stream (an ask's reply) gets its coroutine resumed on the right actor.
/// Set for the thread while the runtime resumes the coroutine.
class wake_target {
public:
  virtual ~wake_target() = default;
  /// Marks the coroutine as waiting and returns what wakes it: call it
  /// once, from any thread, when the awaited result is stored. The
  /// coroutine is then resumed on its own actor, never on the caller's
  /// thread.
  virtual std::function<void()> suspend_here() = 0;
};

/// The wake target of the user code running on this thread (null outside
/// an agent instance).
wake_target* current_wake_target() noexcept;

/// Sets the thread's wake target for a scope.
class wake_target_scope {
public:
  explicit wake_target_scope(wake_target* target) noexcept;
  ~wake_target_scope();
  wake_target_scope(const wake_target_scope&) = delete;
  wake_target_scope& operator=(const wake_target_scope&) = delete;

private:
  wake_target* previous_;
};

} // namespace faust::internal
