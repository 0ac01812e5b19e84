#pragma once

#include "models/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faust::storage {

/// The operations of a set table's changelog, numbered as Faust's
/// `tables/sets.py` numbers them.
enum class set_operation : int {
  /// Value: the member added.
  add = 0x1,
  /// Value: the member removed.
  discard = 0x2,
  /// Value: `[[added...], [removed...]]`.
  update = 0xF,
};

/// A set table's changelog key, byte for byte as Faust's
/// `json.dumps((operation, key))`: `[1, "key"]`. `key_json` is the table key
/// already encoded as JSON.
std::string set_changelog_key(set_operation op, std::string_view key_json);

/// The parts of a set table's changelog key.
struct set_changelog_key_parts {
  set_operation op;
  std::string_view key_json;
};

/// Splits a key made by `set_changelog_key` (or by Faust); an error naming
/// what is wrong when `bytes` is not one (an unknown operation included).
result<set_changelog_key_parts> split_set_changelog_key(std::string_view bytes);

/// A set as a set table stores it: a JSON array of its members' JSON, in a
/// canonical order, so that equal sets are equal bytes. An empty set is not
/// stored (the key is deleted).
struct stored_set {
  /// The new stored value; empty when the set became empty.
  std::optional<std::string> value;
  /// False when the operation changed nothing (adding a member already
  /// there, discarding one that is not).
  bool changed = false;
};

/// Applies `op` with the changelog value `value_json` to the stored set
/// `stored` (empty: no set yet). An error names what is malformed.
result<stored_set> apply_set_operation(std::optional<std::string_view> stored,
                                       set_operation op,
                                       std::string_view value_json);

/// The members (each as JSON) of a stored set; empty for no set. An error
/// if `stored` is not a JSON array.
result<std::vector<std::string>>
set_members(std::optional<std::string_view> stored);

/// True if the stored set holds the member `member_json` (compared as JSON
/// values, whatever the spacing).
bool set_contains(std::optional<std::string_view> stored,
                  std::string_view member_json);

/// `[[added...], [removed...]]`, the value of an `update` record.
std::string set_update_value(const std::vector<std::string>& added_json,
                             const std::vector<std::string>& removed_json);

} // namespace faust::storage
