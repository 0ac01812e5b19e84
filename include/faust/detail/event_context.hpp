#pragma once

#include "models/message.hpp"
#include "storage/origin.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

namespace faust::internal {

class app_core;
class table_partition;
struct partition_writer;
struct table_desc;

/// What a table operation needs to know about the event being processed on
/// this thread (Faust's `current_event()`): which partition it came from
/// and which source record it stands for, and the write sides of the table
/// partitions this agent instance holds. An agent instance owns one
/// context; processors mark where each event begins and ends, so table
/// writes are gathered per event, produced to the changelog when the event
/// is done (before it is acked) and written to the store once delivered.
class event_context {
public:
  event_context(app_core& core, std::string agent, bool may_write_tables)
      : core_(core), agent_(std::move(agent)),
        may_write_tables_(may_write_tables) {}
  /// Gives every held write side back (the instance ends).
  ~event_context();
  event_context(const event_context&) = delete;
  event_context& operator=(const event_context&) = delete;

  /// The event `m` begins: table writes from now on belong to it. Its
  /// origin is the `faust-cpp-origin` header (a record forwarded through a
  /// repartition topic), else the record itself.
  void begin(const models::message& m);
  /// The event is done: its table writes go to the changelogs, or wait in
  /// the partitions' caches (flushed here when one is full).
  void end();
  /// The piece of work (a batch) is done: what its events wrote goes to
  /// the stores once the changelog records are delivered. Caches are
  /// flushed under exactly_once, and once they have waited a commit
  /// interval.
  void end_work();
  /// Produces what every held table cache holds (the agent has caught up
  /// with its input, or ends).
  void flush_caches();
  /// True while writes of finished events wait in a held table cache: the
  /// events may not be acked yet (their offsets would be committed before
  /// their changelog records exist).
  bool caches_dirty() const;

  /// The event's decoded value, for `relative_to_field` (set by the
  /// processors; null when not available, as in `take` batches).
  void set_value(const void* value, const std::type_info& type) {
    value_ = value;
    value_type_ = &type;
  }
  template <class T> const T* value_as() const {
    return value_ && *value_type_ == typeid(T) ? static_cast<const T*>(value_)
                                               : nullptr;
  }
  /// The event's timestamp, seconds since the Unix epoch (Faust's
  /// `event.message.timestamp`).
  double timestamp() const { return timestamp_; }

  bool in_event() const { return in_event_; }
  /// The source record the event stands for (valid during the event).
  const storage::origin& origin() const;
  int32_t partition() const { return partition_; }
  /// The partition count of the event's topic (for co-partitioning).
  int32_t topic_partitions() const { return topic_partitions_; }
  const std::string& topic() const { return topic_; }
  const std::string& agent() const { return agent_; }
  app_core& core() const { return core_; }
  /// False for agents with concurrency > 1: several instances process one
  /// partition, so none of them may own its table partitions.
  bool may_write_tables() const { return may_write_tables_; }

  /// The write side of `part` of `table` held here, if any.
  partition_writer* held(const table_partition& part) const;
  /// The write side of `part` for a change by this instance: held, or
  /// taken from the partition (once per assignment; the partition's actor
  /// is told who holds it). Null when the partition is not assigned here
  /// (revoked: the next owner processes the event again). Throws
  /// `std::logic_error` when another agent writes the table.
  partition_writer* writable(table_desc& table, table_partition& part);
  /// For a read by this instance: held, or taken if this instance's agent
  /// is the table's writer (so it sees what an earlier holder left
  /// pending); null: read the durable store.
  partition_writer* readable(table_desc& table, table_partition& part);
  /// Records that `w` was written by the current event.
  void touched(partition_writer& w);

  /// Gives back the write side of `part` (its actor recalls it); null if
  /// not held.
  std::shared_ptr<partition_writer> give_back(const table_partition& part);
  /// Writes what is delivered and expires windows, for every held write
  /// side (a timer of the instance). True while something waits for a
  /// delivery (call again).
  bool persist_held();
  /// True when a write side is held that needs the timer.
  bool needs_ticks() const;

  /// Called when a write side is taken (the instance tells its actor).
  std::function<void(partition_writer&)> on_claim;

  /// Takes the reply to the current event when that event is a call that
  /// came over the cluster (not through a topic): it is sent when the
  /// event ends, or, if the event wrote tables, once those writes are in
  /// the stores (their changelog records delivered), so a caller never
  /// hears of a change a crash could still lose. False when `request` is
  /// not the current event (the caller sends the reply itself).
  bool defer_direct_reply(const models::message& request, std::string& reply);
  /// True while replies wait for their events' table writes (the
  /// instance's timer checks them often).
  bool replies_waiting() const;
  /// True while changelog records wait for their delivery to be pushed to
  /// standbys (the instance's timer checks them often too).
  bool pushes_waiting() const;

private:
  partition_writer* claim(table_desc& table, table_partition& part,
                          bool for_write);
  /// Sends the waiting replies whose writes are stored; drops those whose
  /// callers stopped waiting.
  void release_replies();
  struct direct_replies;

  app_core& core_;
  std::string agent_;
  bool may_write_tables_;
  bool in_event_ = false;
  /// The event's record: alive until the event ends (the batch holds it).
  const models::message* message_ = nullptr;
  mutable std::optional<storage::origin> origin_;
  const void* value_ = nullptr;
  const std::type_info* value_type_ = nullptr;
  double timestamp_ = 0;
  int32_t partition_ = 0;
  int32_t topic_partitions_ = 0;
  std::string topic_;
  std::vector<std::shared_ptr<partition_writer>> held_;
  std::vector<partition_writer*> event_writers_;
  std::vector<partition_writer*> work_writers_;
  std::chrono::steady_clock::time_point next_cleanup_ =
      std::chrono::steady_clock::now();
  /// Replies to direct calls: the current event's, and those waiting.
  std::shared_ptr<direct_replies> direct_;
  /// The current event came over the cluster and found a table partition
  /// not assigned here (revoked meanwhile): it gets no reply.
  bool direct_unowned_ = false;
};

/// The context of the event this thread is processing, or null.
event_context* current_event_context() noexcept;

/// Makes `ctx` this thread's context for its lifetime (an agent instance,
/// around a piece of work).
class event_context_scope {
public:
  explicit event_context_scope(event_context* ctx) noexcept;
  ~event_context_scope();
  event_context_scope(const event_context_scope&) = delete;
  event_context_scope& operator=(const event_context_scope&) = delete;

private:
  event_context* previous_;
};

} // namespace faust::internal
