#include "storage/active_partition.hpp"

#include <algorithm>
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
  bool cached = false;
  for (auto& key : keys) {
    pending_.insert_or_assign(key, pending_value{std::nullopt, open_id_});
    open_.erase(key);
    cached |= cache_index_.erase(key) > 0;
  }
  if (!cached)
    return;
  // Expired keys leave the cache too: a flush must not bring them back.
  std::erase_if(cache_, [&](const write& w) {
    return !w.record &&
           std::find(keys.begin(), keys.end(), w.key) != keys.end();
  });
  cache_index_.clear();
  cache_bytes_ = 0;
  for (size_t i = 0; i < cache_.size(); ++i) {
    if (!cache_[i].record)
      cache_index_.emplace(cache_[i].key, i);
    cache_bytes_ += cached_size(cache_[i]);
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

void active_partition::log_writes(std::vector<write>& writes,
                                  std::string_view origin_name,
                                  const std::string& origin_text,
                                  std::vector<models::message>& records) {
  auto count = static_cast<uint32_t>(writes.size());
  records.reserve(records.size() + writes.size());
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
        {std::string(origin_name), origin_text},
        {std::string(origin_part_header), encode_origin_part({i, count})}};
    records.push_back(std::move(m));
    if (w.value)
      open_.put(std::move(w.key), std::move(*w.value));
    else
      open_.erase(std::move(w.key));
  }
}

size_t active_partition::cached_size(const write& w) {
  auto size = w.key.size() + (w.value ? w.value->size() : 0) + 64;
  if (w.record)
    size +=
        w.record->key.size() + (w.record->value ? w.record->value->size() : 0);
  return size;
}

void active_partition::add_to_cache(write w) {
  if (!w.record) { // a plain write replaces the key's cached one
    if (auto it = cache_index_.find(w.key); it != cache_index_.end()) {
      auto& cached = cache_[it->second];
      cache_bytes_ = cache_bytes_ - cached_size(cached) + cached_size(w);
      cached.value = std::move(w.value);
      return;
    }
    cache_index_.emplace(w.key, cache_.size());
  }
  cache_bytes_ += cached_size(w);
  cache_.push_back(std::move(w));
}

std::vector<models::message> active_partition::finish_event() {
  std::vector<models::message> records;
  if (!event_)
    return records;
  // The event's writes vector keeps its capacity for the next event.
  struct done {
    active_partition& p;
    ~done() {
      p.event_writes_.clear();
      p.event_.reset();
    }
  } finished{*this};
  const auto& o = *event_;
  if (cache_limit_ > 0) {
    for (auto& w : event_writes_)
      add_to_cache(std::move(w));
    auto [it, fresh] = cache_origins_.try_emplace(o.tp, o.offset);
    if (!fresh)
      it->second = std::max(it->second, o.offset);
    applied_.advance_source(o.tp, o.offset);
    return records;
  }
  log_writes(event_writes_, origin_header, encode_origin(o), records);
  open_.applied(o.tp, o.offset);
  applied_.advance_source(o.tp, o.offset);
  return records;
}

std::vector<models::message> active_partition::flush_cache() {
  std::vector<models::message> records;
  if (cache_.empty())
    return records;
  std::vector<origin> origins;
  for (auto& [tp, offset] : cache_origins_)
    origins.push_back({tp, offset});
  // One source partition: the header an event's records carry.
  auto origin_name = origins.size() == 1 ? origin_header : origins_header;
  auto origin_text =
      origins.size() == 1 ? encode_origin(origins[0]) : encode_origins(origins);
  // The cached keys' pending values now belong to the open batch:
  // persisting it lets reads go to the store again.
  for (auto& w : cache_)
    if (auto it = pending_.find(w.key); it != pending_.end())
      it->second.batch = open_id_;
  log_writes(cache_, origin_name, origin_text, records);
  for (auto& o : origins)
    open_.applied(o.tp, o.offset);
  cache_.clear();
  cache_index_.clear();
  cache_origins_.clear();
  cache_bytes_ = 0;
  return records;
}

void active_partition::drop_cache() {
  if (cache_.empty())
    return;
  cache_.clear();
  cache_index_.clear();
  cache_origins_.clear();
  cache_bytes_ = 0;
  rebuild();
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
  for (auto& w : cache_)
    pending_.insert_or_assign(w.key, pending_value{w.value, open_id_});
  for (auto& [tp, offset] : cache_origins_)
    applied_.advance_source(tp, offset);
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
