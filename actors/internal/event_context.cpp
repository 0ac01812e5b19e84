#include "faust/detail/event_context.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/direct_call.hpp"
#include "actors/internal/messages.hpp"
#include "actors/internal/partition_writer.hpp"
#include "actors/internal/table_actors.hpp"
#include "faust/detail/table_desc.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>

namespace faust::internal {

/// A reply to a direct call and the table writes it waits for: each
/// write side with the store batch that must be written first.
struct event_context::direct_replies {
  struct waiting {
    std::shared_ptr<const direct_call> call;
    std::string reply;
    std::vector<std::pair<std::shared_ptr<partition_writer>, uint64_t>> needs;
  };
  /// The current event's replies (an agent may yield several; the first
  /// answers the call).
  std::vector<std::string> current;
  std::vector<waiting> held;
};

namespace {
thread_local event_context* current = nullptr;

void add_once(std::vector<partition_writer*>& ws, partition_writer* w) {
  if (std::find(ws.begin(), ws.end(), w) == ws.end())
    ws.push_back(w);
}
} // namespace

event_context* current_event_context() noexcept {
  return current;
}

event_context_scope::event_context_scope(event_context* ctx) noexcept
    : previous_(current) {
  current = ctx;
}

event_context_scope::~event_context_scope() {
  current = previous_;
}

event_context::~event_context() {
  // The instance ends (stopped, or crashed and about to be replaced): its
  // write sides wait in their partitions for the next holder, and their
  // actors hear of it. Nothing is lost: pending writes stay with them.
  for (auto& w : held_) {
    w->active->abandon_event();
    flush_cache(core_, *w); // the finished events' writes go out now
    auto owner = caf::actor_cast<table_partition_api>(w->owner);
    w->part->park_writer(w);
    if (owner)
      caf::anon_send(owner, writer_left_atom::value);
  }
}

void event_context::begin(const models::message& m) {
  if (in_event_)
    end();
  in_event_ = true;
  partition_ = m.partition;
  value_ = nullptr;
  timestamp_ = static_cast<double>(m.timestamp_ms) / 1000.0;
  if (topic_ != m.topic) {
    topic_ = m.topic;
    topic_partitions_ = core_.partitions_of(m.topic);
  }
  message_ = &m;
  origin_.reset();
  direct_unowned_ = false;
}

const storage::origin& event_context::origin() const {
  // Only table writes need it: computed on first use, not per event.
  if (!origin_) {
    if (is_direct_cast(*message_))
      origin_ =
          storage::origin{{core_.direct_origin_topic, message_->partition},
                          direct_cast_number(*message_)};
    else if (auto o = storage::origin_of(*message_))
      origin_ = std::move(*o);
    else
      origin_ = storage::origin{{message_->topic, message_->partition},
                                message_->offset};
  }
  return *origin_;
}

partition_writer* event_context::held(const table_partition& part) const {
  for (auto& w : held_)
    if (w->part == &part)
      return w.get();
  return nullptr;
}

partition_writer* event_context::claim(table_desc& table, table_partition& part,
                                       bool for_write) {
  if (!for_write && !table.written_by(agent_))
    return nullptr;
  auto two_writers = [&](const std::string& other) {
    auto why = "table '" + table.name + "' is changed by agents '" + other +
               "' and '" + agent_ +
               "': a table has one writer, the agent that processes its "
               "co-partitioned stream (other agents may read it)";
    core_.fail(why);
    throw std::logic_error(why);
  };
  auto w = part.take_writer();
  if (!w && part.owned_here()) {
    if (auto other = table.writer(); other && *other != agent_)
      two_writers(*other);
    // The partition actor parks the write side before it marks the
    // partition owned, so it is there now unless another instance of this
    // agent holds it. None can: such an instance's supervisor starts its
    // successor only after it ended, and it parks what it holds as it ends.
    w = part.take_writer();
    if (!w && part.owned_here())
      throw std::logic_error(partition_name(table, part.number) +
                             ": its write side is held by another instance "
                             "of agent '" +
                             agent_ + "'");
  }
  if (!w) {
    // Not assigned here (revoked): the next owner redoes a record of its
    // topic; a direct call is nobody's to redo, so it gets no reply (its
    // caller hears it was not confirmed).
    if (in_event_ && message_ &&
        (as_direct_call(*message_) || is_direct_cast(*message_)))
      direct_unowned_ = true;
    return nullptr;
  }
  if (std::string other; !table.claim_writer(agent_, other)) {
    part.park_writer(std::move(w));
    two_writers(other);
  }
  held_.push_back(w);
  w->active->set_cache_limit(cache_share(core_));
  if (on_claim)
    on_claim(*w);
  return w.get();
}

partition_writer* event_context::writable(table_desc& table,
                                          table_partition& part) {
  if (auto* w = held(part))
    return w;
  return claim(table, part, true);
}

partition_writer* event_context::readable(table_desc& table,
                                          table_partition& part) {
  if (auto* w = held(part))
    return w;
  if (!may_write_tables_)
    return nullptr;
  return claim(table, part, false);
}

void event_context::touched(partition_writer& w) {
  add_once(event_writers_, &w);
}

void event_context::end() {
  in_event_ = false;
  const direct_call* call = message_ ? as_direct_call(*message_) : nullptr;
  // A direct event is all or nothing: nobody redoes it, so if one of its
  // table partitions could not be claimed (revoked or lost meanwhile), or
  // the worker lost its lease while it ran (it was stopped, or cut off from
  // the group: the partition may be another worker's, which would never see
  // these writes), none of its writes go out and it gets no reply (the
  // caller hears it was not confirmed). (A Kafka event's writes wait for
  // the lease in the cache instead, see `changelog_may_grow`: if the
  // partition was lost, the next owner processes its record again.)
  if (!event_writers_.empty() && message_ &&
      (call || is_direct_cast(*message_)) &&
      (direct_unowned_ || !core_.holds_lease())) {
    for (auto* w : event_writers_)
      w->active->abandon_event();
    event_writers_.clear();
    faust::log().warn("a direct call's table writes were dropped: {}",
                      direct_unowned_
                          ? "a table partition it writes left this worker"
                          : "this worker lost its lease while the call ran");
    direct_unowned_ = true;
  }
  for (auto* w : event_writers_) {
    finish_event(core_, *w);
    // A direct call's writes go out now: its reply waits for them.
    if (call || w->active->cache_full())
      flush_cache(core_, *w);
    add_once(work_writers_, w);
  }
  if (call && direct_ && !direct_->current.empty()) {
    auto reply = std::move(direct_->current.front());
    direct_->current.clear();
    if (direct_unowned_) {
      // Dropped: the gateway answers that it was processed without a reply.
    } else if (event_writers_.empty()) {
      call->answer(std::move(reply));
    } else {
      direct_replies::waiting wait{
          call->shared_from_this(), std::move(reply), {}};
      for (auto* w : event_writers_) {
        seal_and_persist(core_, *w);
        for (auto& h : held_)
          if (h.get() == w)
            wait.needs.emplace_back(h, w->active->batch_of_finished_writes());
      }
      direct_->held.push_back(std::move(wait));
      release_replies();
    }
  }
  event_writers_.clear();
}

bool event_context::defer_direct_reply(const models::message& request,
                                       std::string& reply) {
  if (!in_event_ || message_ != &request)
    return false;
  if (!direct_)
    direct_ = std::make_shared<direct_replies>();
  direct_->current.push_back(std::move(reply));
  return true;
}

bool event_context::replies_waiting() const {
  return direct_ && !direct_->held.empty();
}

bool event_context::pushes_waiting() const {
  for (auto& w : held_)
    if (!w->unpushed.empty())
      return true;
  return false;
}

void event_context::release_replies() {
  if (!direct_)
    return;
  auto now = std::chrono::steady_clock::now();
  std::erase_if(direct_->held, [&](direct_replies::waiting& wait) {
    bool stored = true;
    for (auto& [w, batch] : wait.needs)
      stored =
          stored && w->stored_below.load(std::memory_order_acquire) > batch;
    if (stored)
      wait.call->answer(std::move(wait.reply));
    // A caller that stopped waiting hears nothing: its gateway tells it the
    // call was processed without a confirmed answer.
    return stored || now >= wait.call->deadline;
  });
}

void event_context::end_work() {
  if (in_event_)
    end();
  std::optional<std::chrono::steady_clock::time_point> now;
  for (auto* w : work_writers_) {
    if (flush_held_for_lease(core_, *w)) {
      // Written while the lease lapsed: out now that it holds again.
    } else if (w->active->cache_dirty()) {
      // The share follows how many partitions this worker owns now.
      w->active->set_cache_limit(cache_share(core_));
      if (!now)
        now = std::chrono::steady_clock::now();
      if (core_.transactions || w->active->cache_full() ||
          *now - w->cached_since >= core_.settings().broker_commit_interval)
        flush_cache(core_, *w);
    }
    seal_and_persist(core_, *w);
  }
  work_writers_.clear();
  release_replies();
}

void event_context::flush_caches() {
  for (auto& w : held_)
    if (w->active->cache_dirty()) {
      flush_cache(core_, *w);
      seal_and_persist(core_, *w);
    }
}

bool event_context::caches_dirty() const {
  for (auto& w : held_)
    if (w->active->cache_dirty())
      return true;
  return false;
}

std::shared_ptr<partition_writer>
event_context::give_back(const table_partition& part) {
  auto it = std::find_if(held_.begin(), held_.end(),
                         [&](auto& w) { return w->part == &part; });
  if (it == held_.end())
    return nullptr;
  auto w = std::move(*it);
  held_.erase(it);
  std::erase(event_writers_, w.get());
  std::erase(work_writers_, w.get());
  return w;
}

bool event_context::persist_held() {
  auto now = std::chrono::steady_clock::now();
  bool cleanup = now >= next_cleanup_;
  if (cleanup)
    next_cleanup_ = now + core_.settings().table_cleanup_interval;
  bool waiting = false;
  for (auto& w : held_) {
    if (cleanup)
      if (auto n = expire_windows(core_, *w))
        faust::log().debug("{}: {} keys of expired windows removed",
                           partition_name(*w->table, w->part->number), n);
    flush_held_for_lease(core_, *w);
    if (w->active->pending_batches() > 0 || !w->unpushed.empty())
      seal_and_persist(core_, *w);
    waiting |= w->active->pending_batches() > 0 || !w->unpushed.empty();
  }
  release_replies();
  return waiting || replies_waiting();
}

bool event_context::needs_ticks() const {
  if (replies_waiting())
    return true;
  for (auto& w : held_)
    if (w->expiry || w->active->pending_batches() > 0 || !w->unpushed.empty())
      return true;
  return false;
}

} // namespace faust::internal
