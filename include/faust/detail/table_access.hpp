#pragma once

#include "faust/detail/table_desc.hpp"
#include "storage/set_operation.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Untyped table operations behind `faust::table`: keys and values as
/// encoded on the changelog.
namespace faust::internal {

/// The value of `key`: inside an event, in the event's partition of the
/// table; outside, in whichever partition this worker has it. The agent
/// instance that writes a partition reads its own writes; everyone else
/// reads what is durable (changes whose changelog records are delivered).
std::optional<std::string> table_get(table_desc& table, std::string_view key);

/// Sets (`value`) or deletes (empty) `key` for the current event. Throws
/// `std::logic_error` outside an event (Faust: "Setting table key from
/// outside of stream iteration"), from an agent with concurrency > 1, or
/// when the event's topic is not co-partitioned with the table.
/// `window_end`: for a windowed table, the end of the key's window (its
/// expiry is tracked).
void table_set(table_desc& table, std::string key,
               std::optional<std::string> value,
               std::optional<double> window_end = {});

/// Applies the set operation `op` with `value_json` (a member, or
/// `[[added], [removed]]`) to the set stored under `key_json`, for the
/// event being processed: the store gets the whole set, the changelog the
/// operation (`[op, key]` -> value, as Faust's SetTable writes it). An
/// operation that changes nothing writes nothing. Errors as `table_set`.
void table_update_set(table_desc& table, const std::string& key_json,
                      storage::set_operation op, std::string value_json);

/// Makes `table` a set table: its changelog holds set operations and is
/// not compacted (Faust's SetTable).
void make_set_table(table_desc& table);

/// Makes `table` windowed by `w`: its changelog becomes `compact,delete`
/// with `retention.ms = expires` (Faust's windowed changelog). Throws
/// `std::logic_error` once the app runs, or if it is windowed already.
void make_windowed(table_desc& table, const storage::window& w,
                   std::optional<std::chrono::milliseconds> expires);

/// Every key and value (as stored) of the partitions active on this worker.
std::vector<std::pair<std::string, std::string>>
table_entries(table_desc& table);
/// How many keys the partitions active on this worker hold.
size_t table_size(table_desc& table);

/// Calls `fn` with every key and value of the partitions active on this
/// worker until it returns false.
void table_for_each(table_desc& table,
                    const std::function<bool(std::string_view key,
                                             std::string_view value)>& fn);

/// The keys (as encoded) of a windowed table with at least one window on
/// this worker, sorted, each once.
std::vector<std::string> windowed_table_keys(table_desc& table);

} // namespace faust::internal
