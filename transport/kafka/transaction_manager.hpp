#pragma once

#include "models/message.hpp"
#include "models/result.hpp"
#include "transport/kafka/client_config.hpp"
#include "transport/kafka/producer.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

namespace faust::transport::kafka {

/// How committing a partition's transaction ended.
enum class transaction_outcome {
  committed,
  /// Aborted: its outputs are discarded; the partition must be processed
  /// again from its last committed offset. A new transaction is open.
  aborted,
  /// This producer was fenced (another worker took the partition) or failed
  /// fatally: stop processing the partition.
  fenced,
};

/// Exactly-once processing (Faust's TransactionManager): one transactional
/// producer per source partition, with the stable transactional id
/// `<app_id>-<topic>-<partition>`, so whichever worker owns a partition
/// fences the previous owner's producer. Outputs of events from a partition
/// go through its producer; committing sends the partition's source offset
/// to the same transaction (`send_offsets_to_transaction`) and commits, so
/// outputs and offset become visible together, or not at all.
///
/// `producer_for` is thread-safe (agents call it while sending); opening,
/// committing and closing belong to the consumer actor.
class transaction_manager {
public:
  transaction_manager(std::string app_id, std::string bootstrap,
                      properties extra, std::chrono::milliseconds timeout);

  /// The transactional id of `tp`'s producer.
  std::string transactional_id(const models::topic_partition& tp) const;

  /// Creates `tp`'s producer, registers its id (fencing an older producer
  /// with the same id) and begins a transaction.
  result<void> open(const models::topic_partition& tp);
  /// The producer of `tp`'s open transaction, or null.
  std::shared_ptr<producer>
  producer_for(const models::topic_partition& tp) const;
  /// Commits `tp`'s transaction, with `offset` (the next offset to read) as
  /// the group's offset when set, then begins the next one.
  transaction_outcome commit(const models::topic_partition& tp,
                             std::optional<int64_t> offset,
                             rd_kafka_consumer_group_metadata_t* group);
  /// Aborts `tp`'s open transaction and drops its producer (revoke).
  void close(const models::topic_partition& tp);

  uint64_t committed() const { return committed_; }
  uint64_t aborted() const { return aborted_; }

private:
  transaction_outcome abort_and_restart(const models::topic_partition& tp,
                                        producer& p, const std::string& why);

  std::string app_id_;
  std::string bootstrap_;
  properties extra_;
  std::chrono::milliseconds timeout_;
  mutable std::shared_mutex mtx_;
  std::map<models::topic_partition, std::shared_ptr<producer>> producers_;
  uint64_t committed_ = 0;
  uint64_t aborted_ = 0;
};

} // namespace faust::transport::kafka
