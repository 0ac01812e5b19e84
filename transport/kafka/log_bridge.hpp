#pragma once

#include <librdkafka/rdkafka.h>

namespace faust::transport::kafka {

/// Sends librdkafka's own log lines of clients made from `conf` to
/// `faust::log()`, tagged with the client's name (its `client.id`), at the
/// matching level (syslog levels 0-3 error, 4 warn, 5-6 info, 7 debug),
/// and its error events (a broker down, ...) as warnings, or critical when
/// fatal. librdkafka retries by itself; these say what is going on.
void route_logs(rd_kafka_conf_t* conf);

} // namespace faust::transport::kafka
