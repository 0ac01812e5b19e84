#include "storage/changelog_replay.hpp"

#include "storage/set_operation.hpp"

#include <algorithm>

namespace faust::storage {

changelog_replay::changelog_replay(partition_store& store,
                                   changelog_format format)
    : store_(store), format_(format), applied_(store.offsets()) {
  next_ = applied_.changelog ? *applied_.changelog + 1 : 0;
}

bool changelog_replay::applied(const origin& o) const {
  return applied_.reflects(o);
}

void changelog_replay::apply(const group& g) {
  if (!g.from.empty() &&
      std::all_of(g.from.begin(), g.from.end(),
                  [&](const origin& o) { return applied_.reflects(o); })) {
    skipped_ += g.changes.size();
    return;
  }
  for (auto& c : g.changes) {
    if (format_ == changelog_format::set_operations)
      apply_set_operation(c);
    else if (c.value)
      batch_.put(c.key, *c.value);
    else
      batch_.erase(c.key);
  }
  batch_records_ += g.changes.size();
  for (auto& o : g.from) {
    batch_.applied(o.tp, o.offset);
    applied_.advance_source(o.tp, o.offset);
  }
}

void changelog_replay::apply_set_operation(const change& c) {
  auto fail = [&](const std::string& why) {
    ++malformed_;
    last_malformed_ = "changelog offset " + std::to_string(c.offset) + ": " +
                      why + " (record skipped)";
  };
  auto key = split_set_changelog_key(c.key);
  if (!key)
    return fail(key.error().message);
  if (!c.value)
    return fail("a set operation without a value");
  std::string set_key(key->key_json);
  std::optional<std::string> current;
  if (auto it = unwritten_.find(set_key); it != unwritten_.end()) {
    current = it->second;
  } else {
    auto stored = store_.get(set_key);
    if (!stored)
      return fail("cannot read the stored set: " + stored.error().message);
    current = std::move(*stored);
  }
  auto next = storage::apply_set_operation(current, key->op, *c.value);
  if (!next)
    return fail(next.error().message);
  if (next->value)
    batch_.put(set_key, *next->value);
  else
    batch_.erase(set_key);
  unwritten_.insert_or_assign(std::move(set_key), std::move(next->value));
}

void changelog_replay::drop_held() {
  if (!held_)
    return;
  dropped_ += held_->changes.size();
  held_.reset();
}

void changelog_replay::add(const models::message& m) {
  next_ = m.offset + 1;
  change c{m.offset, m.key ? m.key->str() : std::string(),
           m.value ? std::optional<std::string>(m.value->str()) : std::nullopt};
  auto from = origins_of(m);
  if (from.empty()) { // written without an origin (a Faust worker): as is
    drop_held();
    apply(group{{}, 1, {std::move(c)}});
    return;
  }
  origin_part part;
  if (auto* h = m.find_header(origin_part_header))
    if (auto p = decode_origin_part(*h))
      part = *p;
  if (held_ && !(held_->from == from && part.index == held_->changes.size() &&
                 part.count == held_->count))
    drop_held(); // the writer died before finishing that group
  if (!held_) {
    if (part.index != 0) { // the start of this group is missing
      ++dropped_;
      return;
    }
    held_ = group{std::move(from), part.count, {}};
  }
  held_->changes.push_back(std::move(c));
  if (held_->changes.size() == held_->count) {
    apply(*held_);
    held_.reset();
  }
}

void changelog_replay::discard_incomplete() {
  drop_held();
}

int64_t changelog_replay::resume_offset() const {
  return held_ ? held_->changes.front().offset : next_;
}

result<size_t> changelog_replay::flush() {
  // Everything before the resume offset is in this batch or dropped.
  if (auto resume = resume_offset(); resume > 0)
    batch_.changelog_applied(resume - 1);
  if (batch_.empty())
    return size_t{0};
  auto written = store_.write(batch_);
  if (!written)
    return written.error();
  batch_.clear();
  unwritten_.clear();
  return std::exchange(batch_records_, 0);
}

} // namespace faust::storage
