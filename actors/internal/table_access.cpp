#include "faust/detail/table_access.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/partition_writer.hpp"
#include "faust/detail/event_context.hpp"
#include "storage/windowed_key.hpp"

#include <set>
#include <stdexcept>

namespace faust::internal {

namespace {

std::optional<std::string> checked(result<std::optional<std::string>> got,
                                   const table_desc& table, int32_t partition) {
  if (!got)
    throw std::runtime_error(partition_name(table, partition) +
                             ": cannot read: " + got.error().message);
  return std::move(*got);
}

/// The current event's partition of `table`, if the event's topic is
/// co-partitioned with it.
table_partition* event_partition(table_desc& table, event_context* ctx) {
  if (!ctx || !ctx->in_event() || ctx->partition() >= table.partitions ||
      ctx->topic_partitions() != table.partitions ||
      table.parts.size() != static_cast<size_t>(table.partitions))
    return nullptr;
  return table.parts[static_cast<size_t>(ctx->partition())].get();
}

/// `key` in `part`: through the write side if this instance holds it (its
/// pending writes included; for the event's own partition it is taken if
/// this agent writes the table), else in the durable store.
std::optional<std::string> get_in(table_desc& table, table_partition& part,
                                  std::string_view key, event_context* ctx,
                                  bool event_partition) {
  if (ctx)
    if (auto* w =
            event_partition ? ctx->readable(table, part) : ctx->held(part)) {
      drop_aborted(ctx->core(), *w);
      return checked(w->active->get(key), table, part.number);
    }
  if (auto store = part.readable())
    return checked(store->get(key), table, part.number);
  return std::nullopt;
}

} // namespace

std::optional<std::string> table_get(table_desc& table, std::string_view key) {
  auto* ctx = current_event_context();
  if (auto* part = event_partition(table, ctx)) {
    part->ops.keys_retrieved.fetch_add(1, std::memory_order_relaxed);
    return get_in(table, *part, key, ctx, true);
  }
  // Outside an event: in whichever partition this worker has it.
  for (auto& part : table.parts)
    if (auto v = get_in(table, *part, key, ctx, false)) {
      part->ops.keys_retrieved.fetch_add(1, std::memory_order_relaxed);
      return v;
    }
  if (!table.parts.empty())
    table.parts.front()->ops.keys_retrieved.fetch_add(
        1, std::memory_order_relaxed);
  return std::nullopt;
}

namespace {

/// The write side of the partition the current event may write, after the
/// checks every change makes; null if the partition was revoked meanwhile
/// (its next owner processes the event again).
partition_writer* writable_partition(table_desc& table) {
  auto* ctx = current_event_context();
  if (!ctx || !ctx->in_event())
    throw std::logic_error("table '" + table.name +
                           "': Setting table key from outside of stream "
                           "iteration (tables change only while an agent "
                           "processes an event)");
  if (!ctx->may_write_tables())
    throw std::logic_error(
        "table '" + table.name + "': agent '" + ctx->agent() +
        "' has concurrency > 1, so no instance owns a partition: it may "
        "read tables but not change them");
  auto* part = event_partition(table, ctx);
  if (!part)
    throw std::logic_error(
        "table '" + table.name + "' has " + std::to_string(table.partitions) +
        " partitions but the event came from '" + ctx->topic() + "' with " +
        std::to_string(ctx->topic_partitions()) +
        ": Number of partitions between related topics differ (a table "
        "must be co-partitioned with the topic of the agent changing it)");
  auto* w = ctx->writable(table, *part);
  if (w)
    drop_aborted(ctx->core(), *w);
  return w;
}

} // namespace

void table_set(table_desc& table, std::string key,
               std::optional<std::string> value,
               std::optional<double> window_end) {
  auto* w = writable_partition(table);
  if (!w)
    return;
  auto& ctx = *current_event_context();
  if (window_end && w->expiry)
    w->expiry->track(key, *window_end);
  auto& ops = w->part->ops;
  if (value) {
    ops.keys_updated.fetch_add(1, std::memory_order_relaxed);
    w->active->put(ctx.origin(), std::move(key), std::move(*value));
  } else {
    ops.keys_deleted.fetch_add(1, std::memory_order_relaxed);
    w->active->erase(ctx.origin(), std::move(key));
  }
  ctx.touched(*w);
}

void table_update_set(table_desc& table, const std::string& key_json,
                      storage::set_operation op, std::string value_json) {
  auto* w = writable_partition(table);
  if (!w)
    return;
  auto& ctx = *current_event_context();
  auto next = storage::apply_set_operation(
      checked(w->active->get(key_json), table, w->part->number), op,
      value_json);
  if (!next)
    throw std::invalid_argument("set table '" + table.name + "' key " +
                                key_json + ": " + next.error().message);
  if (!next->changed)
    return;
  w->part->ops.keys_updated.fetch_add(1, std::memory_order_relaxed);
  w->active->put_logged(
      ctx.origin(), key_json, std::move(next->value),
      {storage::set_changelog_key(op, key_json), std::move(value_json)});
  ctx.touched(*w);
}

void make_set_table(table_desc& table) {
  table.changelog_format = storage::changelog_format::set_operations;
  if (table.changelog_desc)
    table.changelog_desc->options.compacting = false;
}

void make_windowed(table_desc& table, const storage::window& w,
                   std::optional<std::chrono::milliseconds> expires) {
  if (!table.parts.empty())
    throw std::logic_error("table '" + table.name +
                           "': windows are set before the app starts");
  if (table.window)
    throw std::logic_error("table '" + table.name + "' is windowed already");
  table.window = w;
  if (table.changelog_desc) {
    table.changelog_desc->options.deleting = true;
    table.changelog_desc->options.retention = expires;
  }
}

void table_for_each(
    table_desc& table,
    const std::function<bool(std::string_view, std::string_view)>& fn) {
  auto* ctx = current_event_context();
  bool go_on = true;
  auto visit = [&](std::string_view k, std::string_view v) {
    return go_on = fn(k, v);
  };
  for (auto& part : table.parts) {
    if (!go_on)
      return;
    if (auto* w = ctx ? ctx->held(*part) : nullptr)
      w->active->for_each(visit);
    else if (auto store = part->readable())
      store->for_each(visit);
  }
}

std::vector<std::pair<std::string, std::string>>
table_entries(table_desc& table) {
  std::vector<std::pair<std::string, std::string>> out;
  table_for_each(table, [&](std::string_view k, std::string_view v) {
    out.emplace_back(k, v);
    return true;
  });
  return out;
}

size_t table_size(table_desc& table) {
  size_t n = 0;
  table_for_each(table, [&](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  return n;
}

std::vector<std::string> windowed_table_keys(table_desc& table) {
  std::set<std::string> seen;
  table_for_each(table, [&](std::string_view k, std::string_view) {
    if (auto parts = storage::split_windowed_key(k))
      seen.emplace(parts->key_json);
    return true;
  });
  return {seen.begin(), seen.end()};
}

} // namespace faust::internal
