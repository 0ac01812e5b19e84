#include "actors/internal/messages.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "actors/internal/table_runtime.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <map>
#include <utility>

namespace faust::internal {

namespace {

struct table_manager_state {
  std::shared_ptr<app_core> core;
  /// One actor per table partition (Kafka workers).
  std::map<std::pair<const table_desc*, int32_t>, caf::actor> partitions;
  std::chrono::steady_clock::time_point next_cleanup =
      std::chrono::steady_clock::now();
  static inline const char* name = "faust.table_manager";
};

using table_manager_actor = caf::stateful_actor<table_manager_state>;

/// A recovery request being answered: the partition actors still to
/// report, and what they reported.
struct recovery_in_progress {
  caf::response_promise promise;
  size_t left = 0;
  bool ok = true;
  recovery_report report;
};

caf::behavior table_manager_impl(table_manager_actor* self,
                                 std::shared_ptr<app_core> core) {
  auto& st = self->state;
  st.core = std::move(core);
  supervision::name_failures(self, "the table manager");
  if (st.core->uses_kafka())
    for (auto& table : st.core->tables)
      for (auto& part : table->parts)
        st.partitions[{table.get(), part->number}] =
            spawn_table_partition(self, st.core, table.get(), part.get());
  self->send(self, tick_atom::value);
  return {
      [self](recover_atom,
             const recovery_request& request) -> caf::result<bool> {
        auto& st = self->state;
        if (request.targets.empty())
          return true;
        auto progress = std::make_shared<recovery_in_progress>();
        progress->promise = self->make_response_promise();
        progress->left = request.targets.size();
        auto done = [progress, core = st.core](const partition_recovery* r) {
          if (r && r->ok)
            progress->report.merge(r->report);
          else
            progress->ok = false;
          if (--progress->left > 0)
            return;
          if (progress->ok)
            finish_recovery(*core, progress->report);
          progress->promise.deliver(progress->ok);
        };
        for (auto& target : request.targets) {
          auto it = st.partitions.find({target.table, target.part->number});
          if (it == st.partitions.end()) {
            done(nullptr);
            continue;
          }
          self->request(it->second, caf::infinite, recover_atom::value, target)
              .then([done](const partition_recovery& r) { done(&r); },
                    [done](caf::error&) { done(nullptr); });
        }
        return progress->promise;
      },
      [self](parts_atom) {
        std::vector<caf::actor> out;
        for (auto& [key, part] : self->state.partitions)
          out.push_back(part);
        return out;
      },
      [self](tick_atom) {
        auto& st = self->state;
        auto now = std::chrono::steady_clock::now();
        if (now >= st.next_cleanup) {
          st.next_cleanup = now + st.core->settings.table_cleanup_interval;
          if (auto n = expire_windows(*st.core))
            faust::log().debug("tables: {} keys of expired windows removed", n);
        }
        persist_all(*st.core);
        // Persist every 200 ms; a shorter cleanup interval ticks faster.
        self->delayed_send(self,
                           std::clamp(st.core->settings.table_cleanup_interval,
                                      std::chrono::milliseconds{1},
                                      std::chrono::milliseconds{200}),
                           tick_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_table_manager(caf::actor_system& sys,
                               std::shared_ptr<app_core> core) {
  // Detached: persisting writes to RocksDB.
  return sys.spawn<caf::detached>(table_manager_impl, std::move(core));
}

} // namespace faust::internal
