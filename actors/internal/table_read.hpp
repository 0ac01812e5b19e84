#pragma once

#include "actors/protocol/table_read.hpp"

namespace faust::internal {

class app_core;

/// Reads one key of one table partition on this worker, from any thread
/// (the stores take concurrent reads): from the durable store when the
/// partition is owned here and recovered (what its delivered changelog
/// records say; writes still in the table cache are not seen yet); else,
/// when `req.allow_stale`, from this worker's standby store, with how many
/// changelog records it is behind; else a `not_owner` failure saying why.
/// An unknown table or partition is `invalid_argument`, a store that
/// cannot be read `store`.
protocol::table_read_reply
read_table_here(const app_core& core, const protocol::table_read_request& req);

} // namespace faust::internal
