#include "actors/internal/monitor_board.hpp"

namespace faust::internal {

void recent_durations::push(double ms) {
  std::lock_guard lock(mtx_);
  values_.push_back(ms);
  while (values_.size() > keep_)
    values_.pop_front();
}

std::vector<double> recent_durations::list() const {
  std::lock_guard lock(mtx_);
  return {values_.begin(), values_.end()};
}

std::shared_ptr<partition_figures>
monitor_board::assign(const models::topic_partition& tp) {
  auto made = std::make_shared<partition_figures>(tp);
  std::lock_guard lock(mtx_);
  if (auto it = assigned_.find(tp); it != assigned_.end())
    received_before_[tp.topic] +=
        it->second->received.load(std::memory_order_relaxed);
  assigned_[tp] = made;
  return made;
}

void monitor_board::revoke(const models::topic_partition& tp) {
  std::lock_guard lock(mtx_);
  auto it = assigned_.find(tp);
  if (it == assigned_.end())
    return;
  received_before_[tp.topic] +=
      it->second->received.load(std::memory_order_relaxed);
  assigned_.erase(it);
}

std::vector<monitor_board::partition_row> monitor_board::partitions() const {
  std::lock_guard lock(mtx_);
  std::vector<partition_row> rows;
  rows.reserve(assigned_.size());
  for (auto& [tp, f] : assigned_) {
    partition_row r;
    r.tp = tp;
    r.received = f->received.load(std::memory_order_relaxed);
    r.read_offset = f->read_offset.load(std::memory_order_relaxed);
    r.committed_offset = f->committed_offset.load(std::memory_order_relaxed);
    r.end_offset = f->end_offset.load(std::memory_order_relaxed);
    r.in_flight = f->in_flight.load(std::memory_order_relaxed);
    r.paused = f->paused.load(std::memory_order_relaxed);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::map<std::string, uint64_t> monitor_board::received_by_topic() const {
  std::lock_guard lock(mtx_);
  auto out = received_before_;
  for (auto& [tp, f] : assigned_)
    out[tp.topic] += f->received.load(std::memory_order_relaxed);
  return out;
}

std::shared_ptr<recovery_figures>
monitor_board::recovery_began(const std::string& table, int32_t partition,
                              uint64_t total) {
  auto made = std::make_shared<recovery_figures>(table, partition, total);
  std::lock_guard lock(mtx_);
  recovering_.push_back(made);
  return made;
}

void monitor_board::recovery_ended(const recovery_figures* r) {
  std::lock_guard lock(mtx_);
  std::erase_if(recovering_, [r](auto& x) { return x.get() == r; });
}

std::vector<monitor_board::recovery_row>
monitor_board::recoveries(std::chrono::steady_clock::time_point now) const {
  std::lock_guard lock(mtx_);
  std::vector<recovery_row> rows;
  for (auto& r : recovering_) {
    recovery_row row{r->table, r->partition,
                     r->read.load(std::memory_order_relaxed), r->total};
    row.seconds = std::chrono::duration<double>(now - r->started).count();
    if (row.read > 0 && row.seconds > 0)
      row.seconds_left = double(row.total - std::min(row.total, row.read)) /
                         (double(row.read) / row.seconds);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::shared_ptr<std::atomic<uint64_t>>
monitor_board::agent_events(const std::string& name) {
  std::lock_guard lock(mtx_);
  auto& slot = agents_[name];
  if (!slot)
    slot = std::make_shared<std::atomic<uint64_t>>(0);
  return slot;
}

std::map<std::string, uint64_t> monitor_board::events_by_agent() const {
  std::lock_guard lock(mtx_);
  std::map<std::string, uint64_t> out;
  for (auto& [name, count] : agents_)
    out[name] = count->load(std::memory_order_relaxed);
  return out;
}

void monitor_board::set_sent_by_topic(std::map<std::string, int64_t> sent) {
  std::lock_guard lock(mtx_);
  sent_by_topic_ = std::move(sent);
}

std::map<std::string, int64_t> monitor_board::sent_by_topic() const {
  std::lock_guard lock(mtx_);
  return sent_by_topic_;
}

namespace {

/// The mean of what `now` observed since `before`; nullopt if nothing.
std::optional<double>
mean_since(const transport::latency_histogram::snapshot& before,
           const transport::latency_histogram::snapshot& now) {
  if (now.count <= before.count)
    return std::nullopt;
  return (now.sum_ms - before.sum_ms) / double(now.count - before.count);
}

} // namespace

void monitor_board::sample(app_monitor& m,
                           std::chrono::steady_clock::time_point now) {
  last_sample s{now, m.events_processed.load(std::memory_order_relaxed),
                m.messages_received.load(std::memory_order_relaxed),
                events_runtime.read(), send_latency.read()};
  std::lock_guard lock(mtx_);
  if (last_) {
    double secs = std::chrono::duration<double>(now - last_->at).count();
    if (secs > 0) {
      m.events_per_second = double(s.events - last_->events) / secs;
      m.messages_per_second = double(s.messages - last_->messages) / secs;
    }
    m.events_runtime_avg_ms = mean_since(last_->runtime, s.runtime).value_or(0);
    if (auto sends = mean_since(last_->sends, s.sends))
      recent_sends.push(*sends);
  }
  last_ = std::move(s);
}

} // namespace faust::internal
