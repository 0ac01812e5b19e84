#include "actors/internal/runtime_actors.hpp"
#include "actors/internal/table_runtime.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace faust::internal {

namespace {

struct table_manager_state {
  std::shared_ptr<app_core> core;
  std::unique_ptr<changelog_source> source;
  std::chrono::steady_clock::time_point next_cleanup =
      std::chrono::steady_clock::now();
  static inline const char* name = "faust.table_manager";
};

using table_manager_actor = caf::stateful_actor<table_manager_state>;

/// The changelog reader, made on first use; null (and the app failed) if it
/// cannot be made.
changelog_source* source_of(table_manager_state& st) {
  if (!st.source) {
    auto made = make_changelog_source(*st.core);
    if (!made) {
      st.core->fail("table changelogs: " + made.error().message);
      return nullptr;
    }
    st.source = std::move(*made);
  }
  return st.source.get();
}

/// Standby records read per partition per tick: a long catch-up is spread
/// over ticks, so a recovery request waits for one slice at most.
constexpr int64_t standby_slice = 100000;

caf::behavior table_manager_impl(table_manager_actor* self,
                                 std::shared_ptr<app_core> core) {
  self->state.core = std::move(core);
  self->send(self, tick_atom::value);
  return {
      [self](recover_atom, const recovery_request& request) {
        auto& st = self->state;
        auto* source = source_of(st);
        if (!source)
          return false;
        auto done = recover(*st.core, *source, request.targets);
        if (!done) {
          st.core->fail(done.error().message);
          return false;
        }
        return true;
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
        if (st.core->group_assigned &&
            st.core->settings.table_standby_replicas > 0)
          if (auto* source = source_of(st)) {
            auto r = follow_standbys(*st.core, *source, standby_slice);
            if (r.records_read > 0)
              faust::log().debug("standby: {} changelog records read, {} "
                                 "applied, {} table partitions followed",
                                 r.records_read, r.records_applied,
                                 r.partitions);
          }
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
  // Detached: recovery reads changelogs with blocking calls.
  return sys.spawn<caf::detached>(table_manager_impl, std::move(core));
}

} // namespace faust::internal
