#pragma once

#include "models/result.hpp"
#include "transport/kafka/handles.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace faust::transport::kafka {

/// librdkafka properties by name (`bootstrap.servers`, `linger.ms`, ...).
using properties = std::map<std::string, std::string>;

/// Turns a Faust broker URL into librdkafka's `bootstrap.servers`:
/// `kafka://h1:9092;h2:9092` (Faust separates hosts with `;`) or
/// `kafka://h1:9092,h2:9092` gives `h1:9092,h2:9092`; a host without a port
/// gets 9092, as in Faust. Other schemes are an error naming the URL.
result<std::string> bootstrap_from_url(std::string_view url);

/// A librdkafka configuration with `props` set; an unknown property or bad
/// value is an error that names it and says why.
result<conf_ptr> make_conf(const properties& props);

/// A librdkafka client of `type` with `props` over `defaults`, its logs
/// routed to `faust::log()`, `opaque` as its opaque pointer, and
/// `configure` called on the configuration last (to set callbacks).
result<client_ptr>
make_client(rd_kafka_type_t type, properties defaults, const properties& props,
            void* opaque = nullptr,
            const std::function<void(rd_kafka_conf_t*)>& configure = {});

/// librdkafka's text for an error code, with its symbolic name:
/// "Broker: Unknown topic or partition (UNKNOWN_TOPIC_OR_PART)".
std::string describe(rd_kafka_resp_err_t err);

} // namespace faust::transport::kafka
