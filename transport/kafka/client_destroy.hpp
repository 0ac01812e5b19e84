#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstddef>

namespace faust::transport::kafka {

/// Destroys `client` (`rd_kafka_destroy_flags(client, flags)`), waiting at
/// most `timeout`. Returns false if it did not finish in time: the
/// destruction then goes on in the background and the handle is left to
/// it.
///
/// Why bounded: in librdkafka 2.0.2 destroying a consumer whose close did
/// not complete waits for its commits and LeaveGroup (up to the session
/// timeout with a killed broker, a minute or more with a stopped one), and
/// any destroy waits for every record the application still holds. A worker
/// must stop anyway; what it could not commit is processed again.
bool destroy_client(rd_kafka_t* client, int flags,
                    std::chrono::milliseconds timeout);

/// Closes the consumer `client` (leaves its group, if it joined one) within
/// `timeout`; false if it did not finish: then destroy it with
/// `RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE` (a plain destroy would wait for
/// the unfinished close forever). A revoke during the close gives the
/// partitions up without the rebalance callback.
bool close_consumer(rd_kafka_t* client, std::chrono::milliseconds timeout);

/// Destructions that did not finish in time and still run.
size_t clients_still_being_destroyed();

} // namespace faust::transport::kafka
