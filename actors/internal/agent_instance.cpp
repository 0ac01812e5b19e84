#include "actors/internal/ack_routing.hpp"
#include "actors/internal/direct_call.hpp"
#include "actors/internal/partition_writer.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "actors/internal/source_scope.hpp"
#include "faust/detail/event_context.hpp"
#include "faust/detail/wake.hpp"
#include "supervision/errors.hpp"
#include "supervision/logger.hpp"
#include "transport/kafka/transaction_manager.hpp"

#include <caf/all.hpp>

namespace faust::internal {

namespace {

struct instance_state : processor_host, wake_target {
  instance_api::base* self = nullptr;
  instance_config cfg;
  std::unique_ptr<processor> proc;
  std::unique_ptr<event_context> events;
  ack_buffer buffer;
  /// Acks of events whose table writes wait in a cache: sent once the
  /// caches are flushed (their offsets must not be committed before their
  /// changelog records exist).
  ack_list held_acks;
  /// A persist tick is scheduled (write sides wait for deliveries).
  bool ticking = false;
  /// A `ready` went to the dispatcher and no work came back yet.
  bool asked_for_work = false;
  /// The coroutine awaits something outside its stream (an ask's reply):
  /// where to go on in the batch once it is resumed.
  std::optional<work> waiting;
  /// Number of the current wait; a wake for another is stale.
  uint64_t wait_number = 0;
  /// The coroutine asked to be woken since it was last resumed.
  bool wake_requested = false;
  /// Work that came while the coroutine waited (it had asked for more
  /// before a `take` timeout resumed it).
  std::optional<work> held_work;
  /// The dispatcher said `caught_up` while the coroutine waited: its caches
  /// are flushed once the event is done.
  bool caught_up_pending = false;
  static inline const char* name = "faust.agent_instance";

  ~instance_state() override {
    // Stopped or replaced: what the finished events wrote goes out, then
    // their acks, so the partition's offsets can move on. Writes that wait
    // for the lease keep their events unacked (processed again by whoever
    // owns the partition next, should the partition have gone).
    if (!events || !cfg.core)
      return;
    events->flush_caches();
    hold(buffer.take());
    if (!held_acks.acks.empty() && !events->caches_dirty())
      send_acks_anonymously(*cfg.core, std::move(held_acks));
  }

  ack_buffer& acks() override { return buffer; }

  std::function<void()> suspend_here() override {
    wake_requested = true;
    auto handle = caf::actor_cast<instance_api>(self);
    return [handle, number = ++wait_number] {
      caf::anon_send(handle, resume_atom::value, number);
    };
  }

  void request_timeout(std::chrono::milliseconds delay,
                       uint64_t token) override {
    self->delayed_send(self, delay, timeout_atom::value, token);
  }

  void hold(ack_list acks) {
    if (held_acks.acks.empty())
      held_acks = std::move(acks);
    else
      held_acks.acks.insert(held_acks.acks.end(), acks.acks.begin(),
                            acks.acks.end());
  }

  /// Sends the acks of the work done, unless table caches still hold
  /// writes of finished events.
  void flush() {
    if (!buffer.empty())
      hold(buffer.take());
    if (!held_acks.acks.empty() && !events->caches_dirty())
      send_acks(self, *cfg.core, std::exchange(held_acks, {}));
  }
};

using instance_actor = instance_api::stateful_pointer<instance_state>;

/// Write sides held here whose changelog records are not yet delivered (or
/// whose windows expire) are looked at again soon: the last events before a
/// quiet spell must reach the store too.
void keep_persisting(instance_actor self) {
  auto& st = self->state;
  if (st.ticking || !st.events->needs_ticks())
    return;
  st.ticking = true;
  // A caller waits for a direct call's reply until its writes are stored;
  // a standby for pushed changelog records.
  auto delay = st.events->replies_waiting()  ? std::chrono::milliseconds{2}
               : st.events->pushes_waiting() ? std::chrono::milliseconds{5}
                                             : std::chrono::milliseconds{50};
  self->delayed_send(self, delay, persist_atom::value);
}

/// Asks the dispatcher for more, unless it was asked already.
void ask_for_work(instance_actor self) {
  auto& st = self->state;
  // Work held while the coroutine waited runs first; it asks after.
  if (st.held_work || std::exchange(st.asked_for_work, true))
    return;
  self->send(st.cfg.dispatcher, ready_atom::value, st.cfg.index);
}

/// Acts on how processing ended: pull more, or hand back the rest and exit.
void handle(instance_actor self, const process_outcome& out,
            const batch_ptr& batch) {
  auto& st = self->state;
  if (out.status != process_outcome::ok)
    st.events->flush_caches(); // it ends: the finished events' writes go out
  st.flush();
  switch (out.status) {
  case process_outcome::ok:
    ask_for_work(self);
    return;
  case process_outcome::crashed:
  case process_outcome::waiting: // see finish()
    self->send(st.cfg.dispatcher, crashed_atom::value, st.cfg.index,
               work{batch, out.next});
    self->quit(
        supervision::make_error(supervision::errc::agent_crashed, out.reason));
    return;
  case process_outcome::finished:
    self->send(st.cfg.dispatcher, crashed_atom::value, st.cfg.index,
               work{batch, out.next});
    self->quit();
    return;
  }
}

/// After the processor ran: the coroutine waits for a wake (the event
/// stays open, nothing is acked, no work is taken), or the work is done.
void finish(instance_actor self, process_outcome out, const batch_ptr& batch) {
  auto& st = self->state;
  if (out.status == process_outcome::waiting) {
    if (std::exchange(st.wake_requested, false)) {
      st.waiting = work{batch, out.next};
      return;
    }
    // Nothing will ever resume it: an awaitable that is not ours. Its
    // event goes back with the rest (neither acked nor lost).
    out.reason = "agent '" + st.cfg.agent_name +
                 "' awaited something other than its stream or an "
                 "ask_async reply (nothing would resume it)";
    if (batch && out.next > 0)
      --out.next;
  }
  st.events->end_work();
  keep_persisting(self);
  handle(self, out, batch);
}

/// Runs `fn` (processor work) with the instance's scopes set: the source
/// partition, its transaction, the event context and the wake target.
template <class Fn>
process_outcome with_scopes(instance_actor self, const batch_ptr& batch,
                            Fn&& fn) {
  auto& st = self->state;
  // Under exactly_once, the partition's transactional producer is looked
  // up once for the whole batch (the lookup takes a lock).
  source_scope scope{batch ? &batch->tp : nullptr,
                     batch && st.cfg.core->transactions
                         ? st.cfg.core->transactions->producer_for(batch->tp)
                         : nullptr};
  event_context_scope events{st.events.get()};
  wake_target_scope wake{&st};
  return fn();
}

/// The monitor's event runtime: the batch's events, each at its mean.
void time_events(app_core& core, const work& w, const process_outcome& out,
                 std::chrono::steady_clock::duration took) {
  auto size = w.batch->records.size();
  auto end = out.status == process_outcome::crashed ||
                     out.status == process_outcome::waiting
                 ? std::min(out.next, size)
                 : size;
  if (end <= w.begin)
    return;
  auto events = end - w.begin;
  core.board->events_runtime.observe(
      std::chrono::duration<double, std::milli>(took).count() / double(events),
      events);
}

void run_work(instance_actor self, const work& w) {
  auto& st = self->state;
  // A direct call taken here is never run elsewhere (see direct_call.hpp);
  // each comes in a batch of its own.
  if (w.batch->tp_id & direct_tp_flag)
    if (auto* call = as_direct_call(*w.batch->records.front())) {
      // Nobody waits for it any more, or this worker may no longer own its
      // partition (it was stopped): not run (its gateway tells the caller).
      if (std::chrono::steady_clock::now() >= call->deadline ||
          !st.cfg.core->holds_lease()) {
        ask_for_work(self);
        return;
      }
      call->mark_started();
    }
  // Timed per batch, not per event: two clock reads for the whole batch.
  auto began = std::chrono::steady_clock::now();
  auto out = with_scopes(self, w.batch,
                         [&] { return st.proc->process(w.batch, w.begin); });
  time_events(*st.cfg.core, w, out, std::chrono::steady_clock::now() - began);
  finish(self, out, w.batch);
}

void flush_caught_up(instance_actor self) {
  auto& st = self->state;
  event_context_scope events{st.events.get()};
  st.events->flush_caches();
  st.flush();
  keep_persisting(self);
}

instance_api::behavior_type instance_impl(instance_actor self,
                                          instance_config cfg) {
  auto& st = self->state;
  st.self = self;
  st.cfg = std::move(cfg);
  st.events = std::make_unique<event_context>(*st.cfg.core, st.cfg.agent_name,
                                              st.cfg.may_write_tables);
  // A write side taken from its partition: its actor learns who holds it.
  st.events->on_claim = [self](partition_writer& w) {
    if (auto owner = caf::actor_cast<table_partition_api>(w.owner))
      self->send(owner, claimed_atom::value, caf::actor_cast<caf::actor>(self));
  };
  st.proc = st.cfg.make_processor(st.cfg.index);
  finish(self, with_scopes(self, nullptr, [&] { return st.proc->start(st); }),
         nullptr);
  return {
      [self](work_atom, const work& w) {
        auto& st = self->state;
        st.asked_for_work = false;
        if (st.waiting) {
          st.held_work = w; // taken once the coroutine is resumed
          return;
        }
        run_work(self, w);
      },
      [self](resume_atom, uint64_t number) {
        auto& st = self->state;
        if (!st.waiting || number != st.wait_number)
          return;
        auto w = std::move(*st.waiting);
        st.waiting.reset();
        auto out = with_scopes(self, w.batch, [&] {
          auto resumed = st.proc->resume();
          if (resumed.status == process_outcome::ok && w.batch &&
              w.begin < w.batch->records.size())
            return st.proc->process(w.batch, w.begin);
          return resumed;
        });
        auto status = out.status;
        finish(self, out, w.batch);
        if (st.waiting || status != process_outcome::ok)
          return; // waits again, or ended (its held work goes back)
        if (std::exchange(st.caught_up_pending, false))
          flush_caught_up(self);
        if (auto held = std::exchange(st.held_work, std::nullopt))
          run_work(self, *held);
      },
      [self](flush_acks_atom) {
        auto& st = self->state;
        if (!st.waiting) // an open event's writes and acks stay together
          flush_caught_up(self);
        return true;
      },
      [self](caught_up_atom) {
        auto& st = self->state;
        // An event in progress is not cut: its writes go out as one.
        if (st.waiting) {
          st.caught_up_pending = true;
          return;
        }
        flush_caught_up(self);
      },
      [self](persist_atom) {
        auto& st = self->state;
        st.ticking = false;
        if (st.waiting)
          return; // ticks again once the event is done
        event_context_scope events{st.events.get()};
        st.events->persist_held();
        st.flush(); // acks that waited for a cache flushed meanwhile
        keep_persisting(self);
      },
      // The partition's actor recalls its write side (a revoke, a stop).
      [self](give_back_atom, partition_ref ref) {
        return writer_handle{self->state.events->give_back(*ref.part)};
      },
      [self](timeout_atom, uint64_t token) {
        auto& st = self->state;
        if (st.waiting)
          return; // a `take` wait cannot run out while another runs
        auto out = with_scopes(self, nullptr,
                               [&] { return st.proc->on_timeout(token); });
        if (out.status == process_outcome::ok) {
          event_context_scope events{st.events.get()};
          st.events->end_work();
          st.flush(); // still waiting for work, already pulled
          return;
        }
        finish(self, out, nullptr);
      },
  };
}

} // namespace

instance_api spawn_instance(caf::actor_system& sys, instance_config cfg) {
  return sys.spawn(instance_impl, std::move(cfg));
}

} // namespace faust::internal
