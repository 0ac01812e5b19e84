#include "actors/internal/runtime_actors.hpp"
#include "supervision/failure.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/producer.hpp"
#include "transport/kafka/transaction_manager.hpp"
#include "transport/memory_broker.hpp"

#include <caf/all.hpp>

namespace faust::internal {

namespace {

struct producer_state {
  std::shared_ptr<transport::kafka::producer> producer;
  static inline const char* name = "faust.kafka_producer";
};

using producer_actor = caf::stateful_actor<producer_state>;

/// Serves the producer's delivery reports. Sends do not pass through this
/// actor: agents call the thread-safe producer directly, so the hot path
/// has no extra hop.
caf::behavior producer_impl(producer_actor* self,
                            std::shared_ptr<transport::kafka::producer> p) {
  self->state.producer = std::move(p);
  supervision::name_failures(self, "the producer's poller");
  self->send(self, tick_atom::value);
  return {
      [self](tick_atom) {
        // Waits up to 20 ms for a report, so the mailbox (an exit) is
        // looked at often enough.
        self->state.producer->poll(std::chrono::milliseconds{20});
        self->send(self, tick_atom::value);
      },
  };
}

} // namespace

caf::actor
spawn_kafka_producer(caf::actor_system& sys,
                     std::shared_ptr<transport::kafka::producer> producer) {
  return sys.spawn<caf::detached>(producer_impl, std::move(producer));
}

} // namespace faust::internal
