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

caf::behavior table_manager_impl(table_manager_actor* self,
                                 std::shared_ptr<app_core> core) {
  self->state.core = std::move(core);
  self->send(self, tick_atom::value);
  return {
      [self](recover_atom, const recovery_request& request) {
        auto& st = self->state;
        if (!st.source) {
          auto made = make_changelog_source(*st.core);
          if (!made) {
            st.core->fail("table recovery: " + made.error().message);
            return false;
          }
          st.source = std::move(*made);
        }
        auto done = recover(*st.core, *st.source, request.targets);
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
