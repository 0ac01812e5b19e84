#pragma once

#include "models/message.hpp"

namespace faust::internal {

/// The source partition whose records the current thread is processing,
/// or null. Under exactly_once, records sent meanwhile join that
/// partition's transaction.
const models::topic_partition* current_source() noexcept;

/// Marks the current thread as processing records of `tp` for its lifetime
/// (an agent instance, around a piece of work).
class source_scope {
public:
  explicit source_scope(const models::topic_partition* tp) noexcept;
  ~source_scope();
  source_scope(const source_scope&) = delete;
  source_scope& operator=(const source_scope&) = delete;

private:
  const models::topic_partition* previous_;
};

} // namespace faust::internal
