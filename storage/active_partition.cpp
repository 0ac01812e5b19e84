#include "storage/active_partition.hpp"

#include <stdexcept>

namespace faust::storage {

active_partition::active_partition(std::shared_ptr<partition_store> store,
                                   models::topic_partition changelog)
    : store_(std::move(store)), changelog_(std::move(changelog)),
      applied_(store_->offsets()) {}

result<std::optional<std::string>> active_partition::get(std::string_view key) {
  if (auto it = pending_.find(key); it != pending_.end())
    return it->second.value;
  return store_->get_as_writer(key);
}

void active_partition::for_each(
    const std::function<bool(std::string_view, std::string_view)>& fn) {
  for (auto& [key, pending] : pending_)
    if (pending.value && !fn(key, *pending.value))
      return;
  store_->for_each([&](std::string_view key, std::string_view value) {
    return pending_.find(key) != pending_.end() || fn(key, value);
  });
}

void active_partition::expire(const std::vector<std::string>& keys) {
  for (auto& key : keys) {
    pending_.insert_or_assign(key, pending_value{std::nullopt, open_id_});
    open_.erase(key);
  }
}

bool active_partition::applied(const origin& o) const {
  return applied_.reflects(o);
}

void active_partition::stage(const origin& o, std::string key,
                             std::optional<std::string> value,
                             std::optional<logged_as> record) {
  if (event_ && !(*event_ == o))
    throw std::logic_error("table partition " + changelog_.topic + "[" +
                           std::to_string(changelog_.partition) +
                           "]: a write for " + encode_origin(o) +
                           " while the event " + encode_origin(*event_) +
                           " is not finished");
  if (applied(o))
    return; // this event's effect is already in the state
  event_ = o;
  pending_.insert_or_assign(key, pending_value{value, open_id_});
  event_writes_.push_back(
      {std::move(key), std::move(value), std::move(record)});
}

void active_partition::put(const origin& o, std::string key,
                           std::string value) {
  stage(o, std::move(key), std::move(value));
}

void active_partition::erase(const origin& o, std::string key) {
  stage(o, std::move(key), std::nullopt);
}

void active_partition::put_logged(const origin& o, std::string key,
                                  std::optional<std::string> value,
                                  logged_as record) {
  stage(o, std::move(key), std::move(value), std::move(record));
}

std::vector<models::message> active_partition::finish_event() {
  std::vector<models::message> records;
  if (!event_)
    return records;
  auto o = *std::exchange(event_, std::nullopt);
  auto writes = std::exchange(event_writes_, {});
  auto origin_text = encode_origin(o);
  auto count = static_cast<uint32_t>(writes.size());
  records.reserve(writes.size());
  for (uint32_t i = 0; i < count; ++i) {
    auto& w = writes[i];
    models::message m;
    m.topic = changelog_.topic;
    m.partition = changelog_.partition;
    if (w.record) {
      m.key = std::move(w.record->key);
      if (w.record->value)
        m.value = std::move(*w.record->value);
    } else {
      m.key = w.key;
      if (w.value)
        m.value = *w.value;
    }
    m.headers = {
        {std::string(origin_header), origin_text},
        {std::string(origin_part_header), encode_origin_part({i, count})}};
    records.push_back(std::move(m));
    if (w.value)
      open_.put(std::move(w.key), std::move(*w.value));
    else
      open_.erase(std::move(w.key));
  }
  open_.applied(o.tp, o.offset);
  applied_.advance_source(o.tp, o.offset);
  return records;
}

void active_partition::seal(uint64_t epoch) {
  if (event_)
    throw std::logic_error("table partition " + changelog_.topic + "[" +
                           std::to_string(changelog_.partition) +
                           "]: sealed while the event " +
                           encode_origin(*event_) + " is not finished");
  if (open_.empty())
    return;
  sealed_.push_back({open_id_++, epoch, {}, std::exchange(open_, {})});
}

void active_partition::seal(std::function<batch_fate()> fate) {
  if (open_.empty())
    return;
  seal(uint64_t{0});
  sealed_.back().fate = std::move(fate);
}

size_t active_partition::drop_discarded() {
  auto before = sealed_.size();
  std::erase_if(sealed_, [](const sealed_batch& b) {
    return b.fate && b.fate() == batch_fate::discarded;
  });
  auto dropped = before - sealed_.size();
  if (dropped > 0)
    rebuild();
  return dropped;
}

void active_partition::rebuild() {
  pending_.clear();
  applied_ = store_->offsets();
  auto add = [&](const store_batch& b, uint64_t id) {
    for (auto& w : b.writes())
      pending_.insert_or_assign(w.key, pending_value{w.value, id});
    applied_.merge(b.offsets());
  };
  for (auto& b : sealed_)
    add(b.writes, b.id);
  add(open_, open_id_);
}

result<size_t>
active_partition::persist(const std::function<bool(uint64_t)>& delivered) {
  size_t written = 0;
  while (!sealed_.empty()) {
    auto& batch = sealed_.front();
    auto fate = batch.fate               ? batch.fate()
                : delivered(batch.epoch) ? batch_fate::durable
                                         : batch_fate::pending;
    if (fate == batch_fate::pending)
      break;
    if (fate == batch_fate::discarded) {
      drop_discarded();
      continue;
    }
    if (auto ok = store_->write(batch.writes); !ok)
      return ok.error();
    // Reads now find these in the store, unless a later batch wrote them.
    for (auto& w : batch.writes.writes())
      if (auto it = pending_.find(w.key);
          it != pending_.end() && it->second.batch == batch.id)
        pending_.erase(it);
    sealed_.pop_front();
    ++written;
  }
  return written;
}

} // namespace faust::storage
