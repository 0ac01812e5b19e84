#pragma once

#include "models/message.hpp"

#include <memory>

namespace faust::transport::kafka {
class producer;
}

namespace faust::internal {

/// The source partition whose records the current thread is processing,
/// or null. Under exactly_once, records sent meanwhile join that
/// partition's transaction.
const models::topic_partition* current_source() noexcept;

/// Under exactly_once, the transactional producer of the current source
/// partition, looked up once per piece of work (so sending a record takes
/// no lock); null otherwise.
const std::shared_ptr<transport::kafka::producer>&
current_transaction() noexcept;

/// Marks the current thread as processing records of `tp` for its lifetime
/// (an agent instance, around a piece of work), with `tp`'s transactional
/// producer under exactly_once.
class source_scope {
public:
  source_scope(
      const models::topic_partition* tp,
      std::shared_ptr<transport::kafka::producer> transaction) noexcept;
  ~source_scope();
  source_scope(const source_scope&) = delete;
  source_scope& operator=(const source_scope&) = delete;

private:
  const models::topic_partition* previous_;
  std::shared_ptr<transport::kafka::producer> previous_transaction_;
};

} // namespace faust::internal
