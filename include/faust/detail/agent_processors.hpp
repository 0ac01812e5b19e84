#pragma once

#include "faust/agent_task.hpp"
#include "faust/detail/agent_runtime.hpp"
#include "faust/stream.hpp"

#include <exception>
#include <memory>
#include <type_traits>

namespace faust::internal {

/// Runs a per-event function: `R fn(V&)` or `R fn(event<K,V>&)` (R may be
/// void). The event is acked when the function returns.
template <class K, class V, class R, class Fn>
class callback_processor final : public typed_processor_base<K, V, R> {
  using base = typed_processor_base<K, V, R>;

public:
  callback_processor(std::shared_ptr<agent_runtime<K, V, R>> rt,
                     std::shared_ptr<Fn> fn)
      : base(std::move(rt)), fn_(std::move(fn)) {}

  process_outcome start(processor_host& host) override {
    this->host_ = &host;
    return {};
  }

  process_outcome process(const batch_ptr& batch, size_t begin) override {
    auto& records = batch->records;
    for (size_t i = begin; i < records.size(); ++i) {
      auto& m = *records[i];
      if (!this->prepare(m, batch->tp_id, ev_))
        continue;
      this->begin_event(m, &ev_.value);
      try {
        invoke();
      } catch (...) {
        this->end_event();
        ev_.ack(); // Faust: the failed event is acked, never retried
        this->flush_counters();
        return this->crash(m, i + 1, std::current_exception());
      }
      this->end_event();
      ++this->processed_;
      if (this->rt_->acks_enabled)
        ev_.ack();
    }
    this->flush_counters();
    return {process_outcome::ok, records.size(), {}};
  }

private:
  void invoke() {
    auto& fn = *fn_;
    if constexpr (std::is_invocable_v<Fn&, event<K, V>&>) {
      if constexpr (std::is_void_v<R>)
        fn(ev_);
      else
        this->rt_->on_result(&ev_, R(fn(ev_)));
    } else {
      if constexpr (std::is_void_v<R>)
        fn(ev_.value);
      else
        this->rt_->on_result(&ev_, R(fn(ev_.value)));
    }
  }

  std::shared_ptr<Fn> fn_;
  event<K, V> ev_;
};

/// Runs a coroutine agent `agent_task<R> fn(stream<K,V>&)`: resumes it with
/// one event (or one `take` batch) at a time and acks events when it asks
/// for the next.
template <class K, class V, class R, class Fn>
class coroutine_processor final : public typed_processor_base<K, V, R> {
  using base = typed_processor_base<K, V, R>;
  using state_type = stream_state<K, V>;
  using wanted = typename state_type::wanted;

public:
  coroutine_processor(std::shared_ptr<agent_runtime<K, V, R>> rt,
                      std::shared_ptr<Fn> fn, size_t index)
      : base(std::move(rt)), fn_(std::move(fn)), stream_(state_) {
    state_.concurrency_index = index;
  }

  ~coroutine_processor() override {
    // The frame goes before the stream state it points to.
    task_ = {};
  }

  process_outcome start(processor_host& host) override {
    this->host_ = &host;
    task_ = (*fn_)(stream_);
    auto& promise = task_.handle().promise();
    promise.on_yield =
        [this](typename agent_runtime<K, V, R>::result_type&& v) {
          this->rt_->on_result(state_.has_current ? &state_.current : nullptr,
                               std::move(v));
        };
    task_.handle().resume();
    return check(nullptr, 0);
  }

  process_outcome process(const batch_ptr& batch, size_t begin) override {
    auto& records = batch->records;
    for (size_t i = begin; i < records.size(); ++i) {
      if (task_.handle().done())
        return {process_outcome::finished, i, {}};
      auto& m = *records[i];
      if (state_.want == wanted::batch) {
        if (!this->prepare(m, batch->tp_id, scratch_))
          continue;
        state_.batch.push_back(std::move(scratch_.value));
        batch_ids_.emplace_back(batch->tp_id, m.offset);
        // Table writes of a batch belong to its last event.
        last_in_batch_ = share_record(batch, i);
        if (state_.batch.size() >= state_.take_max) {
          auto out = deliver_batch(&m, i + 1);
          if (out.status != process_outcome::ok)
            return out;
        } else if (state_.batch.size() == 1) {
          this->host_->request_timeout(state_.take_within, ++timer_token_);
        }
        continue;
      }
      if (!this->prepare(m, batch->tp_id, state_.current))
        continue;
      state_.has_current = true;
      state_.want = wanted::nothing;
      this->begin_event(m, &state_.current.value);
      task_.handle().resume();
      auto out = check(&m, i + 1);
      if (out.status != process_outcome::ok)
        return out;
    }
    this->flush_counters();
    return {process_outcome::ok, records.size(), {}};
  }

  process_outcome resume() override {
    auto* m = std::exchange(suspended_at_, nullptr);
    task_.handle().resume();
    return check(m, suspended_next_);
  }

  process_outcome on_timeout(uint64_t token) override {
    if (token != timer_token_ || state_.want != wanted::batch ||
        state_.batch.empty())
      return {};
    return deliver_batch(nullptr, 0);
  }

private:
  process_outcome deliver_batch(const models::message* m, size_t next) {
    delivered_ids_ = std::exchange(batch_ids_, {});
    // Kept until the next batch: the event context points into it.
    batch_event_ = std::exchange(last_in_batch_, nullptr);
    if (batch_event_)
      this->begin_event(*batch_event_);
    state_.has_current = false;
    state_.want = wanted::nothing;
    ++timer_token_; // a pending timeout is now stale
    task_.handle().resume();
    return check(m, next);
  }

  /// Inspects the coroutine after it ran: it awaits something else (an
  /// ask's reply), crashed, finished, or waits for more (then what it was
  /// given is acked).
  process_outcome check(const models::message* m, size_t next) {
    auto handle = task_.handle();
    if (!handle.done() && state_.want == wanted::nothing) {
      // Still inside its event (or batch): it goes on at `resume`.
      suspended_at_ = m;
      suspended_next_ = next;
      this->flush_counters();
      return {process_outcome::waiting, next, {}};
    }
    this->end_event(); // it asked for more, or ended: the event is done
    if (handle.done()) {
      auto error = handle.promise().error;
      ack_delivered();
      this->flush_counters();
      if (error) {
        static const models::message none{};
        return this->crash(m ? *m : none, next, error);
      }
      report_returned(this->rt_->name);
      return {process_outcome::finished, next, {}};
    }
    if (this->rt_->acks_enabled)
      ack_delivered();
    else
      delivered_ids_.clear();
    if (m)
      ++this->processed_;
    state_.has_current = false;
    return {};
  }

  void ack_delivered() {
    if (state_.has_current)
      state_.current.ack();
    for (auto& [tp, offset] : delivered_ids_)
      this->host_->acks().add(tp, offset);
    this->processed_ += delivered_ids_.size();
    delivered_ids_.clear();
  }

  std::shared_ptr<Fn> fn_;
  state_type state_;
  stream<K, V> stream_;
  agent_task<R> task_;
  event<K, V> scratch_;
  std::vector<std::pair<uint32_t, int64_t>> batch_ids_;
  models::message_ptr last_in_batch_;
  models::message_ptr batch_event_;
  std::vector<std::pair<uint32_t, int64_t>> delivered_ids_;
  uint64_t timer_token_ = 0;
  /// The record whose event awaits something else (null: none, or the
  /// coroutine's start or a `take` batch).
  const models::message* suspended_at_ = nullptr;
  size_t suspended_next_ = 0;
};

} // namespace faust::internal
