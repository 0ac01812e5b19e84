#include "actors/internal/event_context.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/table_desc.hpp"
#include "actors/internal/table_runtime.hpp"
#include "supervision/logger.hpp"

#include <algorithm>

namespace faust::internal {

namespace {
thread_local event_context* current = nullptr;

void add_once(std::vector<table_partition*>& parts, table_partition* p) {
  if (std::find(parts.begin(), parts.end(), p) == parts.end())
    parts.push_back(p);
}
} // namespace

event_context* current_event_context() noexcept {
  return current;
}

event_context_scope::event_context_scope(event_context* ctx) noexcept
    : previous_(current) {
  current = ctx;
}

event_context_scope::~event_context_scope() {
  current = previous_;
}

void event_context::begin(const models::message& m) {
  if (in_event_)
    end();
  in_event_ = true;
  partition_ = m.partition;
  value_ = nullptr;
  timestamp_ = static_cast<double>(m.timestamp_ms) / 1000.0;
  if (topic_ != m.topic) {
    topic_ = m.topic;
    topic_partitions_ = core_.partitions_of(m.topic);
  }
  message_ = &m;
  origin_.reset();
}

const storage::origin& event_context::origin() const {
  // Only table writes need it: computed on first use, not per event.
  if (!origin_) {
    if (auto o = storage::origin_of(*message_))
      origin_ = std::move(*o);
    else
      origin_ = storage::origin{{message_->topic, message_->partition},
                                message_->offset};
  }
  return *origin_;
}

void event_context::touched(table_partition& part) {
  add_once(event_parts_, &part);
}

void event_context::end() {
  in_event_ = false;
  for (auto* part : event_parts_) {
    finish_event(core_, *part);
    add_once(work_parts_, part);
  }
  event_parts_.clear();
}

void event_context::end_work() {
  if (in_event_)
    end();
  for (auto* part : work_parts_)
    seal_and_persist(core_, *part);
  work_parts_.clear();
}

} // namespace faust::internal
