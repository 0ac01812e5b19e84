#include "actors/internal/source_scope.hpp"

#include <utility>

namespace faust::internal {

namespace {
thread_local const models::topic_partition* source = nullptr;
thread_local std::shared_ptr<transport::kafka::producer> transaction;
} // namespace

const models::topic_partition* current_source() noexcept {
  return source;
}

const std::shared_ptr<transport::kafka::producer>&
current_transaction() noexcept {
  return transaction;
}

source_scope::source_scope(
    const models::topic_partition* tp,
    std::shared_ptr<transport::kafka::producer> txn) noexcept
    : previous_(source),
      previous_transaction_(std::exchange(transaction, std::move(txn))) {
  source = tp;
}

source_scope::~source_scope() {
  source = previous_;
  transaction = std::move(previous_transaction_);
}

} // namespace faust::internal
