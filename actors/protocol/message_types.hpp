#pragma once

#include <string>
#include <vector>

namespace caf {
class actor_system_config;
}

namespace faust::protocol {

/// Announces every message type that may cross a node (agent calls,
/// rebalance signals, table reads, recovery states, errors) under its
/// `faust.*` name. Every process of a cluster calls it on its config.
void add_message_types(caf::actor_system_config& cfg);

/// The names `add_message_types` announces.
std::vector<std::string> message_type_names();

} // namespace faust::protocol
