#pragma once

#include "faust/detail/core_access.hpp"

#include <atomic>
#include <utility>

namespace faust::internal {

/// Direct casts on their way to the router: the router's own mailbox for
/// them, without CAF's per-message dispatch. Any thread pushes; only the
/// router takes, everything at once. A push that finds the queue empty
/// tells its caller to wake the router (one message per burst, not per
/// cast); the router takes the whole queue when woken, so no cast waits
/// for a wake that never comes.
class cast_queue {
  struct node {
    direct_cast cast;
    node* next = nullptr;
  };

public:
  /// Casts taken off the queue, oldest first; frees what is not popped.
  class chain {
  public:
    chain() = default;
    chain(chain&& other) noexcept
        : head_(std::exchange(other.head_, nullptr)) {}
    chain& operator=(chain&& other) noexcept {
      if (this != &other) {
        clear();
        head_ = std::exchange(other.head_, nullptr);
      }
      return *this;
    }
    chain(const chain&) = delete;
    chain& operator=(const chain&) = delete;
    ~chain() { clear(); }

    bool empty() const { return head_ == nullptr; }
    direct_cast& front() { return head_->cast; }
    void pop() { delete std::exchange(head_, head_->next); }

  private:
    friend class cast_queue;
    explicit chain(node* oldest) : head_(oldest) {}
    void clear() {
      while (head_)
        pop();
    }
    node* head_ = nullptr;
  };

  cast_queue() = default;
  cast_queue(const cast_queue&) = delete;
  cast_queue& operator=(const cast_queue&) = delete;
  ~cast_queue() { (void)take_all(); }

  /// Adds `c`; true if the queue was empty (the caller wakes the router).
  bool push(direct_cast c) {
    auto* n = new node{std::move(c), nullptr};
    auto* newest = newest_.load(std::memory_order_relaxed);
    do {
      n->next = newest;
    } while (!newest_.compare_exchange_weak(
        newest, n, std::memory_order_release, std::memory_order_relaxed));
    return newest == nullptr;
  }

  /// Takes everything pushed so far (the router only).
  chain take_all() {
    auto* n = newest_.exchange(nullptr, std::memory_order_acquire);
    node* oldest = nullptr;
    while (n)
      oldest = std::exchange(n, std::exchange(n->next, oldest));
    return chain{oldest};
  }

private:
  /// Newest first (pushed onto the front).
  std::atomic<node*> newest_{nullptr};
};

} // namespace faust::internal
