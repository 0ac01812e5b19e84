#include "actors/internal/messages.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "actors/internal/table_runtime.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

namespace faust::internal {

namespace {

struct table_partition_state {
  std::shared_ptr<app_core> core;
  table_desc* table = nullptr;
  table_partition* part = nullptr;
  std::unique_ptr<changelog_source> source;
  static inline const char* name = "faust.table_partition";
};

using table_partition_actor = caf::stateful_actor<table_partition_state>;

/// Standby records read per tick: a long catch-up is spread over ticks, so
/// a recovery request waits for one slice at most.
constexpr int64_t standby_slice = 100000;
constexpr std::chrono::milliseconds standby_interval{200};

/// The changelog reader, made on first use; null (and the worker failed)
/// if it cannot be made.
changelog_source* source_of(table_partition_state& st) {
  if (!st.source) {
    auto made = make_changelog_source(*st.core);
    if (!made) {
      st.core->fail("table '" + st.table->name + "' partition " +
                    std::to_string(st.part->number) +
                    ": cannot read its changelog: " + made.error().message);
      return nullptr;
    }
    st.source = std::move(*made);
  }
  return st.source.get();
}

caf::behavior table_partition_impl(table_partition_actor* self,
                                   std::shared_ptr<app_core> core,
                                   table_desc* table, table_partition* part) {
  auto& st = self->state;
  st.core = std::move(core);
  supervision::name_failures(self, "table '" + table->name + "' partition " +
                                       std::to_string(part->number));
  st.table = table;
  st.part = part;
  if (standbys_enabled(*st.core))
    self->send(self, tick_atom::value);
  return {
      [self](recover_atom, const recovery_target& target) {
        auto& st = self->state;
        partition_recovery out;
        auto* source = source_of(st);
        if (!source)
          return out;
        auto done = recover(*st.core, *source, {target});
        if (!done) {
          st.core->fail(done.error().message);
          return out;
        }
        out.ok = true;
        out.report = std::move(*done);
        return out;
      },
      [self](tick_atom) {
        auto& st = self->state;
        if (st.core->group_assigned)
          if (auto* source = source_of(st)) {
            auto r = follow_standby(*st.core, *source, *st.table, *st.part,
                                    standby_slice);
            if (r.records_read > 0)
              faust::log().debug(
                  "standby table '{}' partition {}: {} changelog records "
                  "read, {} applied",
                  st.table->name, st.part->number, r.records_read,
                  r.records_applied);
          }
        self->delayed_send(self, standby_interval, tick_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_table_partition(caf::local_actor* parent,
                                 std::shared_ptr<app_core> core,
                                 table_desc* table, table_partition* part) {
  return parent->spawn<caf::detached + caf::linked>(
      table_partition_impl, std::move(core), table, part);
}

} // namespace faust::internal
