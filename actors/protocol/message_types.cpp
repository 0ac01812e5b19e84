#include "actors/protocol/message_types.hpp"

#include "actors/protocol/agent_call.hpp"
#include "actors/protocol/assignment.hpp"
#include "actors/protocol/changelog_push.hpp"
#include "actors/protocol/recovery_state.hpp"
#include "actors/protocol/table_read.hpp"
#include "actors/protocol/wire_error.hpp"

#include <caf/actor_system_config.hpp>

namespace faust::protocol {

namespace {

template <class F> void for_each_type(F&& f) {
  f.template operator()<models::topic_partition>("faust.topic_partition");
  f.template operator()<wire_error>("faust.wire_error");
  f.template operator()<assignment>("faust.assignment");
  f.template operator()<agent_request>("faust.agent_request");
  f.template operator()<agent_reply>("faust.agent_reply");
  f.template operator()<agent_cast>("faust.agent_cast");
  f.template operator()<agent_casts>("faust.agent_casts");
  f.template operator()<table_read_request>("faust.table_read_request");
  f.template operator()<table_read_reply>("faust.table_read_reply");
  f.template operator()<recovery_state>("faust.recovery_state");
  f.template operator()<changelog_push>("faust.changelog_push");
}

} // namespace

void add_message_types(caf::actor_system_config& cfg) {
  for_each_type(
      [&]<class T>(const char* name) { cfg.add_message_type<T>(name); });
}

std::vector<std::string> message_type_names() {
  std::vector<std::string> out;
  for_each_type([&]<class T>(const char* name) { out.emplace_back(name); });
  return out;
}

} // namespace faust::protocol
