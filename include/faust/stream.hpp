#pragma once

#include "faust/event.hpp"

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace faust {

namespace internal {

/// What a coroutine agent is waiting for, and what it is given. Shared by
/// `stream<K,V>` (the coroutine's side) and the coroutine processor (the
/// actor's side); both run on the instance actor's thread.
template <class K, class V> struct stream_state {
  enum class wanted { nothing, one, batch };
  wanted want = wanted::nothing;
  size_t take_max = 0;
  std::chrono::milliseconds take_within{0};
  event<K, V> current;
  bool has_current = false;
  std::vector<V> batch;
  /// The stream has ended (the agent is stopping): awaits return empty.
  bool ended = false;
  size_t enumerate_counter = 0;
  size_t concurrency_index = 0;
};

} // namespace internal

/// The stream a coroutine agent reads (Faust's `Stream`, consumed with
/// `async for`). Each awaitable returns an empty result once the stream
/// ends; the agent should then return.
///
///     while (auto value = co_await stream.next()) { ... }
///     while (auto ev = co_await stream.next_event()) { ev->key; ev->offset();
///     } while (auto batch = co_await stream.take(100, 10s)) { ... }
///
/// The previous event is acked when the agent asks for the next one, unless
/// the stream was declared `noack()`.
template <class K, class V> class stream {
public:
  using state_type = internal::stream_state<K, V>;

  explicit stream(state_type& state) : state_(&state) {}

  /// The next value.
  auto next() {
    return one_awaiter<std::optional<V>, &stream::take_value>{state_};
  }

  /// The next event (key, value, metadata); null at the end. Valid until
  /// the next await.
  auto next_event() {
    return one_awaiter<event<K, V>*, &stream::take_event>{state_};
  }

  /// The next (key, value) pair (Faust's `stream.items()`).
  auto items() {
    return one_awaiter<std::optional<std::pair<std::optional<K>, V>>,
                       &stream::take_item>{state_};
  }

  /// The next (index, value) pair counting from 0 (`stream.enumerate()`).
  auto enumerate() {
    return one_awaiter<std::optional<std::pair<size_t, V>>,
                       &stream::take_enumerated>{state_};
  }

  /// Up to `max` values: as soon as `max` are buffered, or when `within`
  /// passes with at least one buffered (Faust's `stream.take`). The events
  /// of a batch are acked when the agent asks for more.
  auto take(size_t max, std::chrono::milliseconds within) {
    return take_awaiter{state_, max, within};
  }

  /// The event being processed, if any (Faust's `stream.current_event`).
  event<K, V>* current_event() {
    return state_->has_current ? &state_->current : nullptr;
  }

  /// Index of this agent instance (0 .. concurrency-1).
  size_t concurrency_index() const { return state_->concurrency_index; }

private:
  template <class T, T (*Take)(state_type&)> struct one_awaiter {
    state_type* st;
    bool await_ready() const noexcept { return st->ended && !st->has_current; }
    void await_suspend(std::coroutine_handle<>) noexcept {
      st->want = state_type::wanted::one;
    }
    T await_resume() { return Take(*st); }
  };

  struct take_awaiter {
    state_type* st;
    size_t max;
    std::chrono::milliseconds within;
    bool await_ready() const noexcept { return st->ended; }
    void await_suspend(std::coroutine_handle<>) noexcept {
      st->want = state_type::wanted::batch;
      st->take_max = max == 0 ? 1 : max;
      st->take_within = within;
    }
    std::optional<std::vector<V>> await_resume() {
      if (st->batch.empty())
        return std::nullopt;
      return std::exchange(st->batch, {});
    }
  };

  static std::optional<V> take_value(state_type& st) {
    if (!st.has_current)
      return std::nullopt;
    return std::move(st.current.value);
  }
  static event<K, V>* take_event(state_type& st) {
    return st.has_current ? &st.current : nullptr;
  }
  static std::optional<std::pair<std::optional<K>, V>>
  take_item(state_type& st) {
    if (!st.has_current)
      return std::nullopt;
    return std::make_pair(st.current.key, std::move(st.current.value));
  }
  static std::optional<std::pair<size_t, V>> take_enumerated(state_type& st) {
    if (!st.has_current)
      return std::nullopt;
    return std::make_pair(st.enumerate_counter++, std::move(st.current.value));
  }

  state_type* state_;
};

} // namespace faust
