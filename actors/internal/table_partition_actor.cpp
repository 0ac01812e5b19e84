#include "actors/internal/changelog_source.hpp"
#include "actors/internal/messages.hpp"
#include "actors/internal/partition_recovery.hpp"
#include "actors/internal/partition_writer.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "actors/internal/staleness_samples.hpp"
#include "actors/internal/table_actors.hpp"
#include "actors/internal/user_hook.hpp"
#include "storage/changelog_replay.hpp"
#include "storage/partition_custody.hpp"
#include "storage/push_sequencer.hpp"
#include "supervision/errors.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

namespace faust::internal {

namespace {

using std::chrono::milliseconds;
using role = storage::partition_custody::role;

/// Standby records read per pass, and how long a recovery or standby slice
/// reads before the actor looks at its mailbox again.
constexpr int64_t standby_batch = 100000;
constexpr milliseconds standby_interval{200};
constexpr milliseconds read_slice{500};
/// What pushed batches waiting for a topic read (they do not chain onto
/// the store yet) may hold.
constexpr size_t max_held_push_bytes = 16 << 20;

struct table_partition_state {
  std::shared_ptr<app_core> core;
  table_desc* table = nullptr;
  table_partition* part = nullptr;
  storage::partition_custody custody;
  std::unique_ptr<changelog_source> source;
  /// The store while it is here (standby, recovering, active; null while
  /// unassigned, or lent with the write side).
  std::shared_ptr<storage::partition_store> store;
  std::unique_ptr<partition_recovery> recovery;
  caf::typed_response_promise<recovery_state> recovery_promise;
  /// Who took the write side (told by `claimed`).
  caf::actor holder;
  /// A release waiting for the write side to come back.
  std::optional<caf::typed_response_promise<bool>> release_promise;
  bool release_lost = false;
  bool standby_ticking = false;
  /// Standby: batches the owner pushed, applied in changelog order.
  storage::push_sequencer<protocol::changelog_push> pushes{max_held_push_bytes};
  /// The sequencer knows what the store holds (since following began).
  bool pushes_synced = false;
  /// How far behind the owner the records applied were, by how they came.
  staleness_samples behind_pushed;
  staleness_samples behind_read;
  /// Pushed batches since the last report: applied on arrival, found
  /// already read from the topic, kept for a topic read.
  uint64_t pushes_applied = 0;
  uint64_t pushes_duplicate = 0;
  uint64_t pushes_waited = 0;
  static inline const char* name = "faust.table_partition";

  ~table_partition_state();
};

using table_partition_actor =
    table_partition_api::stateful_pointer<table_partition_state>;

std::string name_of(const table_partition_state& st) {
  return partition_name(*st.table, st.part->number);
}

/// Logs how far behind the owner this standby's records were (since it
/// began following, or the last report), and starts over.
void report_staleness(table_partition_state& st) {
  auto& p = st.behind_pushed;
  auto& r = st.behind_read;
  if (p.count() == 0 && r.count() == 0)
    return;
  auto all = staleness_samples::combined(p, r);
  faust::log().info(
      "standby {}: {} changelog records applied, behind the owner by p50 {} "
      "ms, p99 {} ms, max {} ms; {} as pushed (p50 {} ms, p99 {} ms), {} "
      "read from the topic (p50 {} ms, p99 {} ms); pushes: {} applied on "
      "arrival, {} already read, {} waited for a read",
      name_of(st), all.count(), all.quantile(0.5), all.quantile(0.99),
      all.max(), p.count(), p.quantile(0.5), p.quantile(0.99), r.count(),
      r.quantile(0.5), r.quantile(0.99), st.pushes_applied, st.pushes_duplicate,
      st.pushes_waited);
  p.clear();
  r.clear();
  st.pushes_applied = st.pushes_duplicate = st.pushes_waited = 0;
}

table_partition_state::~table_partition_state() {
  if (part)
    part->publish_standby(nullptr, -1);
  if (part && table)
    report_staleness(*this);
  // A memory store is all there is of its state: kept for the app's next
  // start in this process (no actor runs then).
  if (part && table && !table->uses_rocksdb() && store)
    part->kept = store;
}

/// The changelog reader, made on first use; null (and the worker failed)
/// if it cannot be made.
changelog_source* source_of(table_partition_state& st) {
  if (!st.source) {
    auto made = make_changelog_source(*st.core);
    if (!made) {
      st.core->fail(name_of(st) +
                    ": cannot read its changelog: " + made.error().message);
      return nullptr;
    }
    st.source = std::move(*made);
  }
  return st.source.get();
}

/// Whether a store stays here once another worker has the partition.
bool keep_store(const table_partition_state& st) {
  return !st.table->uses_rocksdb() ||
         st.core->settings().table_standby_replicas > 0;
}

result<void> open_if_needed(table_partition_state& st) {
  if (st.store)
    return {};
  if (st.part->kept) {
    st.store = std::exchange(st.part->kept, nullptr);
    return {};
  }
  auto opened = open_store(*st.core, *st.table, st.part->number);
  if (!opened)
    return opened.error();
  st.store = std::move(*opened);
  return {};
}

/// The partition's recovery state, for its manager.
recovery_state state_of(const table_partition_state& st, recovery_phase phase) {
  recovery_state out;
  out.table = st.table->name;
  out.partition = st.part->number;
  out.phase = phase;
  return out;
}

void answer_recovery(table_partition_state& st, recovery_state done) {
  if (st.recovery_promise.pending())
    st.recovery_promise.deliver(std::move(done));
}

/// Recovered: the write side waits in the partition for its writer, and
/// other threads may read the store.
void become_active(table_partition_actor self) {
  auto& st = self->state;
  auto w = std::make_shared<partition_writer>();
  w->table = st.table;
  w->part = st.part;
  w->owner = self->address();
  w->active = std::make_unique<storage::active_partition>(
      st.store,
      models::topic_partition{st.table->changelog_topic, st.part->number});
  track_windows(*w);
  // Its first push follows what the store holds (without transactions,
  // where offsets run on without markers between).
  if (!st.core->transactions)
    w->pushed_through = st.store->offsets().changelog;
  st.part->publish(st.store);
  // Parked first: a writer that sees the partition owned finds it there.
  st.part->park_writer(std::move(w));
  st.part->set_owned_here(true);
}

/// The changelog offset the store holds (-1: none).
int64_t store_offset(const table_partition_state& st) {
  return st.store->offsets().changelog.value_or(-1);
}

/// Applies the records of a pushed batch that chains onto the store (those
/// after what it holds); false if it could not (malformed, or the store
/// failed: a topic read catches up).
bool apply_push(table_partition_state& st,
                const protocol::changelog_push& push) {
  auto& table = *st.table;
  storage::changelog_replay replay(*st.store, table.changelog_format);
  std::vector<int64_t> stamps;
  stamps.reserve(push.count);
  auto held = st.pushes.applied();
  // Offsets rise within [first, last] and end at `last`.
  int64_t previous = push.first - 1;
  bool in_order = true;
  bool whole = push.each([&](models::message m) {
    in_order &= m.offset > previous && m.offset <= push.last;
    previous = m.offset;
    if (!in_order || m.offset <= held)
      return; // (a topic read applied it)
    if (table.options.on_changelog_event)
      run_user_hook(
          "table '" + table.name + "': on_changelog_event",
          [&] { table.options.on_changelog_event(m); },
          st.core->stats.hook_errors);
    stamps.push_back(m.timestamp_ms);
    replay.add(m);
  });
  if (!whole || !in_order || previous != push.last) {
    faust::log().error("standby {}: a malformed changelog push from {} "
                       "(offsets {}-{}) ignored; the topic is read instead",
                       name_of(st), push.from, push.first, push.last);
    return false;
  }
  auto flushed = replay.flush();
  if (!flushed) {
    faust::log().warn("standby {}: cannot write its store: {}", name_of(st),
                      flushed.error().message);
    return false;
  }
  auto now = wall_clock_ms();
  for (auto stamp : stamps)
    if (stamp > 0)
      st.behind_pushed.add(now - stamp);
  st.pushes.applied(push.last);
  return true;
}

/// Applies the kept pushes that chain onto the store now.
void apply_ready_pushes(table_partition_state& st) {
  for (auto& [range, push] : st.pushes.take_ready())
    if (!apply_push(st, push))
      break;
}

void take_push(table_partition_actor self, protocol::changelog_push& push) {
  auto& st = self->state;
  if (st.custody.current() != role::standby || st.core->stop.stopping())
    return;
  if (auto opened = open_if_needed(st); !opened)
    return; // the tick reports it
  if (!st.pushes_synced) {
    st.pushes.sync(store_offset(st));
    st.pushes_synced = true;
  }
  storage::pushed_range range{
      push.after >= 0 ? std::optional<int64_t>(push.after) : std::nullopt,
      push.first, push.last};
  auto bytes = push.packed.size();
  using verdict = storage::push_sequencer<protocol::changelog_push>::verdict;
  switch (st.pushes.offer(range, std::move(push), bytes)) {
  case verdict::apply:
    ++st.pushes_applied;
    if (apply_push(st, push))
      apply_ready_pushes(st);
    return;
  case verdict::duplicate:
    ++st.pushes_duplicate;
    return;
  case verdict::held:
  case verdict::dropped:
    ++st.pushes_waited;
    return;
  }
}

void recover_slice(table_partition_actor self, uint64_t generation) {
  auto& st = self->state;
  if (generation != st.custody.generation() || !st.recovery)
    return; // revoked meanwhile
  auto* source = source_of(st);
  if (!source) {
    answer_recovery(st, state_of(st, recovery_phase::failed));
    return;
  }
  auto step = st.recovery->step(*source, read_slice);
  if (step && !*step) {
    self->send(self, continue_atom::value, generation);
    return;
  }
  auto finished = step ? st.recovery->finish() : result<void>{step.error()};
  auto done = state_of(st, recovery_phase::ready);
  done.records_read = st.recovery->read();
  done.records_applied = st.recovery->applied();
  done.took_ms = st.recovery->took().count();
  st.recovery.reset();
  if (!finished) {
    if (!st.core->stop.stopping())
      st.core->fail(finished.error().message);
    done.phase = recovery_phase::failed;
    done.failure = protocol::wire_error::from(finished.error());
    answer_recovery(st, done);
    return;
  }
  if (!st.custody.recovered(generation)) {
    done.phase = recovery_phase::stale;
    answer_recovery(st, done);
    return;
  }
  become_active(self);
  answer_recovery(st, done);
}

/// The write side is back: make what it wrote durable, then keep the store
/// as a standby or close it.
void finish_handover(table_partition_actor self,
                     std::shared_ptr<partition_writer> w) {
  auto& st = self->state;
  st.holder = nullptr;
  hand_over(*st.core, *w, st.release_lost);
  st.part->publish(nullptr);
  st.store = w->active->shared_store();
  forget_batches(*st.core, *w);
  w.reset();
  bool keep = keep_store(st);
  st.custody.handed_over(keep);
  if (!keep)
    st.store.reset(); // closed: another worker may open it now
  if (st.release_promise) {
    st.release_promise->deliver(true);
    st.release_promise.reset();
  }
}

/// Asks the holder for the write side (it may also come back on its own,
/// parked by a holder that ended).
void recall(table_partition_actor self) {
  auto& st = self->state;
  if (auto parked = st.part->take_writer()) {
    finish_handover(self, std::move(parked));
    return;
  }
  if (!st.holder)
    return; // its `claimed` (or `writerleft`) is on the way
  self->request(st.holder,
                st.core->stop.bound(st.core->settings().shutdown_timeout),
                give_back_atom::value, partition_ref{st.part})
      .then(
          [self](writer_handle& h) {
            auto& st = self->state;
            if (st.custody.current() != role::handing_over)
              return;
            if (h.writer)
              finish_handover(self, std::move(h.writer));
            else if (auto parked = st.part->take_writer())
              finish_handover(self, std::move(parked));
          },
          [self](caf::error&) {
            // The holder ended: it parked the write side before it went.
            auto& st = self->state;
            if (st.custody.current() != role::handing_over)
              return;
            if (auto parked = st.part->take_writer())
              finish_handover(self, std::move(parked));
          });
}

table_partition_api::behavior_type
table_partition_impl(table_partition_actor self, std::shared_ptr<app_core> core,
                     table_desc* table, table_partition* part) {
  auto& st = self->state;
  st.core = std::move(core);
  st.table = table;
  st.part = part;
  supervision::name_failures(self, name_of(st));
  return {
      [self](recover_atom) -> caf::result<recovery_state> {
        auto& st = self->state;
        if (st.custody.assigned()) // the same assignment again
          return state_of(st, recovery_phase::ready);
        report_staleness(st);
        st.pushes.reset();
        st.pushes_synced = false;
        st.part->publish_standby(nullptr, -1); // no stale reads from here on
        auto generation = st.custody.assign();
        st.recovery_promise = self->make_response_promise<recovery_state>();
        auto* source = source_of(st);
        auto opened = open_if_needed(st);
        if (!source || !opened) {
          auto failed = state_of(st, recovery_phase::failed);
          if (!opened) {
            st.core->fail(opened.error().message);
            failed.failure = protocol::wire_error::from(opened.error());
          }
          answer_recovery(st, failed);
          return st.recovery_promise;
        }
        auto began = partition_recovery::begin(*st.core, *source, *st.table,
                                               st.part->number, st.store);
        if (!began) {
          if (!st.core->stop.stopping())
            st.core->fail(began.error().message);
          auto failed = state_of(st, recovery_phase::failed);
          failed.failure = protocol::wire_error::from(began.error());
          answer_recovery(st, failed);
          return st.recovery_promise;
        }
        st.recovery = std::move(*began);
        recover_slice(self, generation);
        return st.recovery_promise;
      },
      [self](continue_atom, uint64_t generation) {
        recover_slice(self, generation);
      },
      [self](release_atom, bool lost) -> caf::result<bool> {
        auto& st = self->state;
        st.part->set_owned_here(false);
        using on_revoke = storage::partition_custody::on_revoke;
        switch (st.custody.revoke()) {
        case on_revoke::nothing:
          return true;
        case on_revoke::abandon_recovery:
          st.recovery.reset();
          answer_recovery(st, state_of(st, recovery_phase::stale));
          if (!keep_store(st))
            st.store.reset();
          return true;
        case on_revoke::hand_over:
        case on_revoke::recall:
          break;
        }
        st.release_lost = lost;
        st.release_promise = self->make_response_promise<bool>();
        auto rp = *st.release_promise;
        recall(self);
        return rp;
      },
      [self](claimed_atom, caf::actor holder) {
        auto& st = self->state;
        st.holder = std::move(holder);
        if (st.custody.current() == role::active)
          st.custody.lend();
        else if (st.custody.current() == role::handing_over)
          recall(self);
      },
      [self](writer_left_atom) {
        // The holder ended and parked the write side again.
        auto& st = self->state;
        st.holder = nullptr;
        if (st.custody.current() == role::lent)
          (void)st.custody.returned();
        else if (st.custody.current() == role::handing_over)
          recall(self);
      },
      [self](follow_atom) {
        auto& st = self->state;
        bool following = st.custody.current() == role::standby;
        if (st.core->settings().table_standby_replicas <= 0 ||
            !st.core->uses_kafka() || !st.custody.follow())
          return;
        if (!following) {
          st.pushes.reset();
          st.pushes_synced = false;
        }
        if (st.standby_ticking)
          return;
        st.standby_ticking = true;
        self->send(self, tick_atom::value);
      },
      [self](unfollow_atom) {
        auto& st = self->state;
        st.pushes.reset();
        st.pushes_synced = false;
        st.part->publish_standby(nullptr, -1);
        if (st.custody.unfollow())
          faust::log().debug("standby {}: placed on another worker, no "
                             "longer followed here",
                             name_of(st));
      },
      [self](protocol::changelog_push& push) { take_push(self, push); },
      [self](tick_atom) {
        auto& st = self->state;
        if (st.custody.current() == role::standby && !st.core->stop.stopping())
          if (auto* source = source_of(st)) {
            if (auto opened = open_if_needed(st); !opened) {
              faust::log().warn("standby {}: {}", name_of(st),
                                opened.error().message);
            } else {
              auto r = follow_changelog(
                  *st.core, *source, *st.table, st.part->number, *st.store,
                  standby_batch, read_slice, &st.behind_read);
              // What was pushed meanwhile and waits for this read.
              st.pushes.sync(store_offset(st));
              st.pushes_synced = true;
              apply_ready_pushes(st);
              // Stale reads see this store, and how far behind it is.
              st.part->publish_standby(
                  st.store, r.high_watermark < 0
                                ? -1
                                : std::max<int64_t>(0, r.high_watermark - 1 -
                                                           store_offset(st)));
              if (r.records_read > 0)
                faust::log().debug("standby {}: {} changelog records read, "
                                   "{} applied",
                                   name_of(st), r.records_read,
                                   r.records_applied);
            }
          }
        self->delayed_send(self, standby_interval, tick_atom::value);
      },
  };
}

} // namespace

table_partition_api spawn_table_partition(caf::local_actor* parent,
                                          std::shared_ptr<app_core> core,
                                          table_desc* table,
                                          table_partition* part) {
  // Detached: it reads changelogs and writes stores (blocking calls, each
  // bounded, between which it answers messages).
  return parent->spawn<caf::detached + caf::linked>(
      table_partition_impl, std::move(core), table, part);
}

} // namespace faust::internal
