#pragma once

#include <coroutine>
#include <exception>
#include <functional>
#include <type_traits>
#include <utility>
#include <variant>

namespace faust {

/// The return type of a coroutine agent: the body reads its stream with
/// `co_await` and may `co_yield` results of type `R`, like Faust's
/// `async for value in stream: yield result`. A yielded value is the reply
/// to the current event's `ask` (if it is one) and goes to every sink.
///
///     faust::agent_task<int64_t> add(faust::stream<std::string, Add>& s) {
///       while (auto add = co_await s.next())
///         co_yield add->a + add->b;
///     }
///
/// The runtime owns the coroutine: it starts it inside the agent instance's
/// actor, resumes it only from that actor, and destroys the frame before the
/// agent's function object, so lambda captures stay valid for the
/// coroutine's whole life.
///
/// The awaitables of faust-cpp (`stream::next`, `take`, ...) take no
/// callables. Do not write a capturing lambda or a braced temporary
/// (`Order{...}`, `{.key = k}`) inside a `co_await` expression: g++ 12
/// destroys such a temporary twice (name it on its own line first).
/// `agent.ask_async` takes its options as a named variable for this reason.
template <class R = void> class [[nodiscard]] agent_task {
public:
  using yield_type = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

  struct promise_type {
    /// Installed by the runtime before the first resume.
    std::function<void(yield_type&&)> on_yield;
    std::exception_ptr error;

    agent_task get_return_object() {
      return agent_task{
          std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }

    template <class U>
    requires(!std::is_void_v<R> &&
             std::is_convertible_v<U&&, R>) std::suspend_never
        yield_value(U&& value) {
      on_yield(yield_type(std::forward<U>(value)));
      return {};
    }
  };

  using handle_type = std::coroutine_handle<promise_type>;

  agent_task() = default;
  explicit agent_task(handle_type h) : handle_(h) {}
  agent_task(agent_task&& other) noexcept
      : handle_(std::exchange(other.handle_, {})) {}
  agent_task& operator=(agent_task&& other) noexcept {
    if (this != &other) {
      destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  agent_task(const agent_task&) = delete;
  agent_task& operator=(const agent_task&) = delete;
  ~agent_task() { destroy(); }

  handle_type handle() const noexcept { return handle_; }

private:
  void destroy() {
    if (handle_)
      handle_.destroy();
    handle_ = {};
  }
  handle_type handle_;
};

template <class T> struct is_agent_task : std::false_type {};
template <class R> struct is_agent_task<agent_task<R>> : std::true_type {
  using result_type = R;
};

} // namespace faust
