#pragma once

#include "faust/detail/table_access.hpp"
#include "faust/detail/table_desc.hpp"
#include "models/serializer.hpp"
#include "storage/set_operation.hpp"

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace faust {

/// A table of sets (Faust's `app.SetTable`): each key holds a set of `V`,
/// changed by `add`, `discard` and `update` inside an agent:
///
///     auto visitors = app.set_table<std::string, std::string>("visitors");
///     app.agent("track", views.stream().group_by(&PageView::id),
///               [visitors](PageView& v) { visitors[v.id].add(v.user); });
///     size_t unique = visitors["home"].size();
///
/// The changelog `<app_id>-<name>-changelog` holds the operations, as Faust
/// writes them: key `[1, key]` with the member for an add, `[2, key]` for a
/// discard, `[15, key]` with `[[added...], [removed...]]` for an update; it
/// is not compacted (the operations only make sense together). The store
/// holds each key's whole set. An operation that changes nothing (adding a
/// member already there) writes nothing; a set that becomes empty is
/// deleted. Members are JSON (the table's value serializer must be `json`)
/// and compared as JSON values.
///
/// Faust raises `NotImplementedError` on `st[k] = v` and `del st[k]`; here
/// they do not exist. Partitions, stores, recovery and the rules on when a
/// table may change are those of `faust::table`.
template <class K, class V> class set_table {
public:
  using key_type = K;
  using member_type = V;

  /// The set of one key: `set_table[key]`.
  class members_of {
  public:
    members_of(set_table t, K key)
        : table_(std::move(t)), key_json_(table_.encode_key(key)) {}

    /// Adds `member` (for the event being processed).
    void add(const V& member) const {
      table_.change(key_json_, storage::set_operation::add,
                    table_.encode_member(member));
    }
    /// Removes `member` if it is there.
    void discard(const V& member) const {
      table_.change(key_json_, storage::set_operation::discard,
                    table_.encode_member(member));
    }
    /// Adds `added` and removes `removed`, as one changelog record (Faust's
    /// bulk operations: `update`, `difference_update`, ...).
    void update(const std::vector<V>& added,
                const std::vector<V>& removed = {}) const {
      std::vector<std::string> a, r;
      for (auto& m : added)
        a.push_back(table_.encode_member(m));
      for (auto& m : removed)
        r.push_back(table_.encode_member(m));
      table_.change(key_json_, storage::set_operation::update,
                    storage::set_update_value(a, r));
    }
    /// Removes every member of `removed` (Faust's `difference_update`).
    void difference_update(const std::vector<V>& removed) const {
      update({}, removed);
    }

    bool contains(const V& member) const {
      return storage::set_contains(table_.stored(key_json_),
                                   table_.encode_member(member));
    }
    /// The members, in a stable order (by their JSON).
    std::vector<V> members() const {
      return table_.decode_members(table_.stored(key_json_));
    }
    size_t size() const { return members().size(); }
    bool empty() const { return !table_.stored(key_json_).has_value(); }

  private:
    set_table table_;
    std::string key_json_;
  };

  explicit set_table(std::shared_ptr<internal::table_desc> desc)
      : desc_(std::move(desc)) {}

  const std::string& name() const { return desc_->name; }
  const std::string& changelog_topic() const { return desc_->changelog_topic; }
  int32_t partitions() const { return desc_->partitions; }

  members_of operator[](const K& key) const { return members_of(*this, key); }
  /// The members of `key` (empty if it has none).
  std::vector<V> get(const K& key) const { return (*this)[key].members(); }

  /// Keys with their members, in the partitions active on this worker.
  std::vector<std::pair<K, std::vector<V>>> items() const {
    auto raw = internal::table_entries(*desc_);
    std::vector<std::pair<K, std::vector<V>>> out;
    out.reserve(raw.size());
    for (auto& [k, v] : raw)
      out.emplace_back(models::loads<K>(desc_->key_spec, k), decode_members(v));
    return out;
  }
  /// Keys with a non-empty set, in the partitions active on this worker.
  size_t size() const { return internal::table_size(*desc_); }

private:
  std::string encode_key(const K& key) const {
    return models::dumps(desc_->key_spec, key);
  }
  std::string encode_member(const V& member) const {
    return models::dumps(desc_->value_spec, member);
  }
  std::optional<std::string> stored(const std::string& key_json) const {
    return internal::table_get(*desc_, key_json);
  }
  std::vector<V> decode_members(std::optional<std::string_view> stored) const {
    auto members = storage::set_members(stored);
    if (!members)
      throw std::runtime_error("set table '" + name() +
                               "': " + members.error().message);
    std::vector<V> out;
    out.reserve(members->size());
    for (auto& m : *members)
      out.push_back(models::loads<V>(desc_->value_spec, m));
    return out;
  }
  void change(const std::string& key_json, storage::set_operation op,
              std::string value_json) const {
    internal::table_update_set(*desc_, key_json, op, std::move(value_json));
  }

  std::shared_ptr<internal::table_desc> desc_;
};

} // namespace faust
