#pragma once

#include "actors/protocol/wire_error.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace faust::protocol {

/// A read of one key of one table partition, asked of the partition's
/// owner (Faust's `table_route`) or, when allowed, of a standby. The key is
/// as the table's changelog encodes it.
struct table_read_request {
  std::string table;
  int32_t partition = 0;
  std::string key;
  /// A standby may answer (with its lag) when the owner is away.
  bool allow_stale = false;
  bool operator==(const table_read_request&) const = default;
};

/// The value (absent: the key has none), how far behind the changelog the
/// answering store is (0 for the owner), or why there is no answer.
struct table_read_reply {
  std::optional<std::string> value;
  int64_t lag = 0;
  bool stale = false;
  std::optional<wire_error> failure;
  bool operator==(const table_read_reply&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, table_read_request& x) {
  return f(caf::meta::type_name("faust.table_read_request"), x.table,
           x.partition, x.key, x.allow_stale);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, table_read_reply& x) {
  return f(caf::meta::type_name("faust.table_read_reply"), x.value, x.lag,
           x.stale, x.failure);
}

} // namespace faust::protocol
