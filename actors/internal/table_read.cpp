#include "actors/internal/table_read.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/partition_writer.hpp"

#include <string>

namespace faust::internal {

namespace {

protocol::table_read_reply failure(errc code, std::string why) {
  protocol::table_read_reply out;
  out.failure = protocol::wire_error{code, std::move(why)};
  return out;
}

} // namespace

protocol::table_read_reply
read_table_here(const app_core& core, const protocol::table_read_request& req) {
  const table_desc* table = nullptr;
  for (auto& t : core.tables)
    if (t->name == req.table)
      table = t.get();
  if (!table)
    return failure(errc::invalid_argument, "no table '" + req.table + "'");
  if (req.partition < 0 ||
      static_cast<size_t>(req.partition) >= table->parts.size())
    return failure(errc::invalid_argument, "table '" + req.table +
                                               "' has no partition " +
                                               std::to_string(req.partition));
  auto& part = *table->parts[static_cast<size_t>(req.partition)];
  auto name = partition_name(*table, req.partition);
  protocol::table_read_reply out;
  auto store = part.owned_here() ? part.readable() : nullptr;
  if (!store && req.allow_stale) {
    store = part.standby_readable();
    out.stale = store != nullptr;
    out.lag = part.standby_behind();
  }
  if (!store)
    return failure(errc::not_owner,
                   name + " is not served here" +
                       (req.allow_stale ? " (not owned, no standby)"
                                        : " (not owned or still recovering)"));
  auto value = store->get(req.key);
  if (!value)
    return failure(errc::store, name + ": " + value.error().message);
  out.value = std::move(*value);
  return out;
}

} // namespace faust::internal
