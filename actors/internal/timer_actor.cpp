#include "actors/internal/runtime_actors.hpp"

#include <caf/all.hpp>

namespace faust::internal {

namespace {

caf::behavior timer_impl(caf::event_based_actor* self, timer_config cfg) {
  auto shared = std::make_shared<timer_config>(std::move(cfg));
  self->delayed_send(self, shared->next_delay(), tick_atom::value);
  return {
      [self, shared](tick_atom) {
        if (!shared->on_leader || !shared->is_leader || shared->is_leader())
          shared->run();
        self->delayed_send(self, shared->next_delay(), tick_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_timer(caf::actor_system& sys, timer_config cfg) {
  return sys.spawn(timer_impl, std::move(cfg));
}

} // namespace faust::internal
