#include "actors/internal/table_access.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/event_context.hpp"
#include "actors/internal/table_runtime.hpp"
#include "supervision/logger.hpp"

#include <stdexcept>

namespace faust::internal {

namespace {

std::optional<std::string> get_locked(table_partition& part,
                                      std::string_view key,
                                      const table_desc& table) {
  if (!part.active)
    return std::nullopt;
  auto got = part.active->get(key);
  if (!got)
    throw std::runtime_error("table '" + table.name + "' partition " +
                             std::to_string(part.number) +
                             ": cannot read: " + got.error().message);
  return std::move(*got);
}

} // namespace

std::optional<std::string> table_get(table_desc& table, std::string_view key) {
  auto* ctx = current_event_context();
  if (ctx && ctx->in_event() && ctx->partition() < table.partitions &&
      ctx->topic_partitions() == table.partitions) {
    auto& part = *table.parts[static_cast<size_t>(ctx->partition())];
    std::lock_guard lock(part.mutex);
    drop_aborted_locked(ctx->core(), part);
    return get_locked(part, key, table);
  }
  for (auto& part : table.parts) {
    std::lock_guard lock(part->mutex);
    if (auto v = get_locked(*part, key, table))
      return v;
  }
  return std::nullopt;
}

namespace {

/// The partition the current event may write, after the checks every
/// change makes.
table_partition& writable_partition(table_desc& table) {
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
  if (ctx->topic_partitions() != table.partitions ||
      ctx->partition() >= table.partitions)
    throw std::logic_error(
        "table '" + table.name + "' has " + std::to_string(table.partitions) +
        " partitions but the event came from '" + ctx->topic() + "' with " +
        std::to_string(ctx->topic_partitions()) +
        ": Number of partitions between related topics differ (a table "
        "must be co-partitioned with the topic of the agent changing it)");
  return *table.parts[static_cast<size_t>(ctx->partition())];
}

/// Runs `change(part, ctx)` on the partition the current event may write,
/// under its lock, once the writes of aborted transactions are dropped;
/// `change` returns whether it wrote. Nothing happens if the partition was
/// revoked meanwhile (its next owner processes the event again).
template <class Change>
void change_partition(table_desc& table, Change change) {
  auto& part = writable_partition(table);
  auto& ctx = *current_event_context();
  {
    std::lock_guard lock(part.mutex);
    if (!part.active)
      return;
    drop_aborted_locked(ctx.core(), part);
    if (!change(part, ctx))
      return;
  }
  ctx.touched(part);
}

} // namespace

void table_set(table_desc& table, std::string key,
               std::optional<std::string> value,
               std::optional<double> window_end) {
  change_partition(table, [&](table_partition& part, event_context& ctx) {
    if (window_end && part.expiry)
      part.expiry->track(key, *window_end);
    if (value)
      part.active->put(ctx.origin(), std::move(key), std::move(*value));
    else
      part.active->erase(ctx.origin(), std::move(key));
    return true;
  });
}

void table_update_set(table_desc& table, const std::string& key_json,
                      storage::set_operation op, std::string value_json) {
  change_partition(table, [&](table_partition& part, event_context& ctx) {
    auto next = storage::apply_set_operation(get_locked(part, key_json, table),
                                             op, value_json);
    if (!next)
      throw std::invalid_argument("set table '" + table.name + "' key " +
                                  key_json + ": " + next.error().message);
    if (!next->changed)
      return false;
    part.active->put_logged(
        ctx.origin(), key_json, std::move(next->value),
        {storage::set_changelog_key(op, key_json), std::move(value_json)});
    return true;
  });
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
  bool go_on = true;
  for (auto& part : table.parts) {
    if (!go_on)
      return;
    std::lock_guard lock(part->mutex);
    if (part->active)
      part->active->for_each([&](std::string_view k, std::string_view v) {
        return go_on = fn(k, v);
      });
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

} // namespace faust::internal
