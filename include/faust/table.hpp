#pragma once

#include "faust/detail/table_access.hpp"
#include "faust/detail/table_desc.hpp"
#include "faust/windowed_table.hpp"
#include "models/serializer.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace faust {

/// A table (Faust's `app.Table`): a map from `K` to `V`, sharded like the
/// stream that changes it. Each partition lives on the worker that owns the
/// stream's partition of the same number, in a store (`memory://` or
/// `rocksdb://`), and every change is appended to the compacted changelog
/// topic `<app_id>-<name>-changelog`, from which a worker that takes the
/// partition over recovers it.
///
/// Use it inside an agent, like a map:
///
///     auto counts = app.table<std::string, int64_t>("page_views", 0);
///     app.agent("count", views.stream().group_by(&PageView::id),
///               [counts](PageView& v) mutable { counts[v.id] += 1; });
///
/// Changes are allowed only while an agent processes an event (they belong
/// to that event: its changelog records are produced before it is acked);
/// anywhere else they throw `std::logic_error`, as Faust raises. Reads work
/// anywhere: inside an event they see the event's partition, outside they
/// look in every partition active on this worker.
///
/// A handle is cheap to copy; all copies are the same table.
template <class K, class V> class table {
public:
  using key_type = K;
  using mapped_type = V;

  /// `table[key]`: reads convert to `V`, assignments and compound
  /// assignments change the table (Faust: `table[k] += 1`).
  class entry {
  public:
    entry(table t, K key) : table_(std::move(t)), key_(std::move(key)) {}
    /// The value, or the table's default, or `std::out_of_range`.
    operator V() const { return value(); }
    V value() const { return table_.at_encoded(encoded_key()); }
    entry& operator=(V v) {
      table_.set_encoded(encoded_key(), std::move(v));
      return *this;
    }
    template <class D> entry& operator+=(const D& d) {
      return *this = V(value() + d);
    }
    template <class D> entry& operator-=(const D& d) {
      return *this = V(value() - d);
    }
    template <class D> entry& operator*=(const D& d) {
      return *this = V(value() * d);
    }

  private:
    /// The key as the changelog has it, encoded once for a read and a
    /// write (`table[k] += 1`).
    const std::string& encoded_key() const {
      if (!encoded_)
        encoded_ = table_.encode_key(key_);
      return *encoded_;
    }

    table table_;
    K key_;
    mutable std::optional<std::string> encoded_;
  };

  table(std::shared_ptr<internal::table_desc> desc,
        std::shared_ptr<const std::function<V()>> default_value)
      : desc_(std::move(desc)), default_(std::move(default_value)) {}

  const std::string& name() const { return desc_->name; }
  const std::string& changelog_topic() const { return desc_->changelog_topic; }
  int32_t partitions() const { return desc_->partitions; }

  /// The value of `key`, or empty (Faust's `table.get(key)`).
  std::optional<V> get(const K& key) const {
    return get_encoded(encode_key(key));
  }
  /// The value of `key`, else the default; without a default a missing key
  /// throws `std::out_of_range` (Faust's KeyError).
  V at(const K& key) const { return at_encoded(encode_key(key)); }
  entry operator[](const K& key) const { return entry(*this, key); }
  bool contains(const K& key) const { return get(key).has_value(); }

  /// This table, windowed in tumbling windows of `size` (Faust's
  /// `table.tumbling(size, expires=...)`). Declare it so before start.
  windowed_table<K, V> tumbling(std::chrono::duration<double> size,
                                window_options opts = {}) const {
    return windowed(storage::window::tumbling(size.count(), seconds(opts)),
                    opts);
  }
  /// Hopping windows of `size`, a new one every `step`.
  windowed_table<K, V> hopping(std::chrono::duration<double> size,
                               std::chrono::duration<double> step,
                               window_options opts = {}) const {
    return windowed(
        storage::window::hopping(size.count(), step.count(), seconds(opts)),
        opts);
  }
  /// Sliding windows `[ts - before, ts + after]`; `opts.expires` is
  /// required.
  windowed_table<K, V> sliding(std::chrono::duration<double> before,
                               std::chrono::duration<double> after,
                               window_options opts) const {
    if (!opts.expires)
      throw std::invalid_argument("table '" + name() +
                                  "': a sliding window needs expires");
    return windowed(
        storage::window::sliding(before.count(), after.count(), *seconds(opts)),
        opts);
  }

  /// Sets `key` for the event being processed.
  void set(const K& key, V value) const {
    set_encoded(encode_key(key), std::move(value));
  }
  /// Deletes `key` (a tombstone on the changelog; Faust's `del table[k]`).
  void erase(const K& key) const {
    internal::table_set(*desc_, encode_key(key), std::nullopt);
  }

  /// Keys and values of the partitions active on this worker (Faust's
  /// `table.items()`), in no particular order.
  std::vector<std::pair<K, V>> items() const {
    auto raw = internal::table_entries(*desc_);
    std::vector<std::pair<K, V>> out;
    out.reserve(raw.size());
    for (auto& [k, v] : raw)
      out.emplace_back(models::loads<K>(desc_->key_spec, k),
                       models::loads<V>(desc_->value_spec, v));
    return out;
  }
  std::vector<K> keys() const {
    std::vector<K> out;
    for (auto& [k, v] : items())
      out.push_back(std::move(k));
    return out;
  }
  std::vector<V> values() const {
    std::vector<V> out;
    for (auto& [k, v] : items())
      out.push_back(std::move(v));
    return out;
  }
  /// Keys in the partitions active on this worker (Faust's `len(table)`).
  size_t size() const { return internal::table_size(*desc_); }

private:
  static std::optional<double> seconds(const window_options& opts) {
    if (!opts.expires)
      return std::nullopt;
    return std::chrono::duration<double>(*opts.expires).count();
  }
  windowed_table<K, V> windowed(storage::window w,
                                const window_options& opts) const {
    internal::make_windowed(*desc_, w, opts.expires);
    return windowed_table<K, V>(desc_, default_, opts);
  }
  std::string encode_key(const K& key) const {
    return models::dumps(desc_->key_spec, key);
  }
  std::optional<V> get_encoded(const std::string& key_bytes) const {
    auto raw = internal::table_get(*desc_, key_bytes);
    if (!raw)
      return std::nullopt;
    return models::loads<V>(desc_->value_spec, *raw);
  }
  V at_encoded(const std::string& key_bytes) const {
    if (auto v = get_encoded(key_bytes))
      return std::move(*v);
    if (default_)
      return (*default_)();
    throw std::out_of_range("table '" + name() + "': no key " + key_bytes +
                            " (and no default)");
  }
  void set_encoded(std::string key_bytes, V value) const {
    internal::table_set(*desc_, std::move(key_bytes),
                        models::dumps(desc_->value_spec, value));
  }

  std::shared_ptr<internal::table_desc> desc_;
  std::shared_ptr<const std::function<V()>> default_;
};

} // namespace faust
