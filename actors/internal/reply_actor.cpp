#include "actors/internal/ack_routing.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "models/serializer.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

#include <unordered_map>

namespace faust::internal {

namespace {

struct reply_state {
  std::shared_ptr<app_core> core;
  std::unordered_map<std::string, pending_reply_ptr> pending;
  static inline const char* name = "faust.replies";
};

using reply_actor = reply_api::stateful_pointer<reply_state>;

void complete_from(const models::value_reader& r, models::value_ref root,
                   pending_reply& waiter) {
  models::value_ref value;
  if (!r.find_member(root, "value", value)) {
    waiter.on_error(error{errc::decode, "the reply has no \"value\""});
    return;
  }
  waiter.on_value(r, value);
}

void complete(reply_actor self, const models::message& m) {
  auto& st = self->state;
  if (!m.value)
    return;
  bool parsed = models::try_read_json(
      *m.value, [&](const models::value_reader& r, models::value_ref root) {
        models::value_ref id_value;
        std::string_view correlation_id;
        if (!r.find_member(root, "correlation_id", id_value) ||
            !r.get(id_value, correlation_id)) {
          faust::log().warn(
              "reply topic {}[{}]@{}: not a ReqRepResponse, ignored", m.topic,
              m.partition, m.offset);
          return;
        }
        auto it = st.pending.find(std::string(correlation_id));
        if (it == st.pending.end())
          return; // timed out or cancelled already
        auto waiter = std::move(it->second);
        st.pending.erase(it);
        complete_from(r, root, *waiter);
      });
  if (!parsed)
    faust::log().warn("reply topic {}[{}]@{}: not JSON, ignored", m.topic,
                      m.partition, m.offset);
}

reply_api::behavior_type reply_impl(reply_actor self,
                                    std::shared_ptr<app_core> core) {
  self->state.core = std::move(core);
  supervision::name_failures(self, "the reply actor");
  return {
      [self](register_atom, const std::string& correlation_id,
             pending_reply_ptr waiter, caf::timespan timeout) {
        self->state.pending[correlation_id] = std::move(waiter);
        self->delayed_send(self, timeout, expire_atom::value, correlation_id);
      },
      [self](cancel_atom, const std::string& correlation_id) {
        self->state.pending.erase(correlation_id);
      },
      [self](expire_atom, const std::string& correlation_id) {
        auto& pending = self->state.pending;
        auto it = pending.find(correlation_id);
        if (it == pending.end())
          return;
        auto waiter = std::move(it->second);
        pending.erase(it);
        waiter->on_error(error{errc::timeout, "timed out"});
      },
      [self](batch_atom, const batch_ptr& batch) {
        ack_buffer acks;
        for (auto& m : batch->records) {
          complete(self, *m);
          acks.add(batch->tp_id, m->offset);
        }
        send_acks(self, *self->state.core, acks.take());
      },
      [](assigned_atom, const assignment&) {},
      [](revoked_atom, const assignment&) {},
      // Replies are handled as they come: nothing is in flight.
      [](drain_atom, const assignment&) { return true; },
  };
}

} // namespace

void complete_reply(std::string_view response, pending_reply& waiter) {
  bool parsed = models::try_read_json(
      response, [&](const models::value_reader& r, models::value_ref root) {
        complete_from(r, root, waiter);
      });
  if (!parsed)
    waiter.on_error(error{errc::decode, "the reply is not JSON"});
}

reply_api spawn_reply_actor(caf::actor_system& sys,
                            std::shared_ptr<app_core> core) {
  return sys.spawn(reply_impl, std::move(core));
}

} // namespace faust::internal
