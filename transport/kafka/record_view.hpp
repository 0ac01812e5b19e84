#pragma once

#include "models/message.hpp"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string_view>

namespace faust::transport::kafka {

/// Fills `msg` with librdkafka record `m` of `topic`: key and value view
/// `m`'s buffers (no copy), kept alive by `storage` (null: valid only while
/// `m` is); the topic and headers are copied into the strings `msg` already
/// has, so a reused message allocates nothing for them.
void to_message(models::message& msg, rd_kafka_message_t* m,
                std::string_view topic,
                const std::shared_ptr<const void>& storage);

} // namespace faust::transport::kafka
