#pragma once

#include "faust/detail/event_context.hpp"
#include "faust/detail/table_access.hpp"
#include "faust/detail/table_desc.hpp"
#include "models/datetime.hpp"
#include "models/serializer.hpp"
#include "storage/window.hpp"
#include "storage/windowed_key.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace faust {

/// Options of `table.tumbling(...)`, `hopping(...)`, `sliding(...)`.
struct window_options {
  /// How long a window is kept after the latest window seen in its
  /// partition; expired windows are removed from the store every
  /// `table_cleanup_interval`, and the changelog keeps them as long
  /// (`cleanup.policy=compact,delete`, `retention.ms`). Unset: forever
  /// (sliding windows require it).
  std::optional<std::chrono::milliseconds> expires{};
  /// Allow iterating keys (`keys()`, `items_*()`), as Faust's
  /// `key_index=True`. The keys come from the stores of the partitions
  /// active on this worker.
  bool key_index = false;
};

/// A windowed table (Faust's `WindowWrapper`): `table[key]` is the set of
/// windows of `key` (a `window_set`); a write goes to every window the
/// timestamp falls into, a read picks one window. Which timestamp: the
/// event's (`relative_to_stream`, the default), the wall clock
/// (`relative_to_now`), a field of the event's value (`relative_to_field`),
/// or a function of yours (`relative_to`). Stored keys are `[key, [start,
/// end]]`, as Faust stores them.
///
///     auto views = app.table<std::string, int64_t>("views", 0)
///                      .tumbling(10s, {.expires = 1h});
///     views[page] += 1;                        // inside an agent
///     int64_t last_10s = views[page].current(); // the event's window
template <class K, class V> class windowed_table {
public:
  /// The timestamp (seconds since the Unix epoch) windows are chosen by.
  using timestamp_fn = std::function<double()>;

  /// One key's windows (`table[key]`), defined below.
  class window_set;

  windowed_table(std::shared_ptr<internal::table_desc> desc,
                 std::shared_ptr<const std::function<V()>> default_value,
                 window_options opts)
      : desc_(std::move(desc)), default_(std::move(default_value)),
        opts_(opts) {}

  const std::string& name() const { return desc_->name; }
  /// `<app_id>-<name>-changelog` (`compact,delete`, retention `expires`).
  const std::string& changelog_topic() const { return desc_->changelog_topic; }
  const storage::window& window() const { return *desc_->window; }

  /// Windows by the wall clock.
  windowed_table relative_to_now() const {
    return with([] { return wall_clock(); });
  }
  /// Windows by the event's timestamp (the default).
  windowed_table relative_to_stream() const { return with({}); }
  /// Windows by a field of the event's value: seconds since the epoch, or a
  /// `models::datetime`.
  template <class R, class F>
  windowed_table relative_to_field(F R::*field) const {
    return with([field] {
      auto* ctx = internal::current_event_context();
      const R* value = ctx ? ctx->template value_as<R>() : nullptr;
      if (!value)
        throw std::logic_error("relative_to_field: no event value of the "
                               "field's record type (Operation outside of "
                               "stream iteration)");
      const auto& f = value->*field;
      if constexpr (std::is_arithmetic_v<F>)
        return static_cast<double>(f);
      else
        return std::chrono::duration<double>(f.time_since_epoch()).count();
    });
  }
  /// Windows by `fn()` (Faust's `relative_to(timestamp)`).
  windowed_table relative_to(timestamp_fn fn) const {
    return with(std::move(fn));
  }

  window_set operator[](const K& key) const { return window_set(*this, key); }

  /// Calls `fn(key, window, value)` when a window expires, with its last
  /// value, just before the cleanup timer removes it (Faust's
  /// `on_window_close`). Called on the table manager's thread for the
  /// partitions active on this worker; an exception is logged. Set it
  /// before start; needs `expires`.
  const windowed_table& on_window_close(
      std::function<void(const K& key, const storage::window_range& window,
                         const V& value)>
          fn) const {
    if (!window().expires())
      throw std::logic_error("windowed table '" + name() +
                             "': on_window_close needs expires");
    if (!desc_->parts.empty())
      throw std::logic_error("windowed table '" + name() +
                             "': on_window_close is set before start");
    desc_->on_window_close = [desc = desc_.get(), fn = std::move(fn)](
                                 std::string_view key, std::string_view value) {
      auto parts = storage::split_windowed_key(key);
      if (!parts)
        return;
      fn(models::loads<K>(desc->key_spec, parts->key_json), parts->range,
         models::loads<V>(desc->value_spec, value));
    };
    return *this;
  }

  /// The keys with at least one window (needs `key_index`).
  std::vector<K> keys() const {
    require_key_index("keys");
    std::vector<K> out;
    for (auto& k : internal::windowed_table_keys(*desc_))
      out.push_back(models::loads<K>(desc_->key_spec, k));
    return out;
  }
  /// Each key with its value in the wall clock's window (needs
  /// `key_index`; Faust's `table.items().now()`).
  std::vector<std::pair<K, V>> items_now() const {
    std::vector<std::pair<K, V>> out;
    for (auto& k : keys())
      out.emplace_back(k, (*this)[k].now());
    return out;
  }
  /// Each key with its value in the current event's window.
  std::vector<std::pair<K, V>> items_current() const {
    std::vector<std::pair<K, V>> out;
    for (auto& k : keys())
      out.emplace_back(k, (*this)[k].current());
    return out;
  }
  /// Each key with its value in the window `seconds` before the event's.
  std::vector<std::pair<K, V>> items_delta(double seconds) const {
    std::vector<std::pair<K, V>> out;
    for (auto& k : keys())
      out.emplace_back(k, (*this)[k].delta(seconds));
    return out;
  }

private:
  static double wall_clock() {
    return std::chrono::duration<double>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static double event_time() {
    auto* ctx = internal::current_event_context();
    if (!ctx || !ctx->in_event())
      throw std::logic_error("windowed table: Operation outside of stream "
                             "iteration (the event's timestamp is needed)");
    return ctx->timestamp();
  }
  windowed_table with(timestamp_fn fn) const {
    auto copy = *this;
    copy.relative_ = std::move(fn);
    return copy;
  }
  double ts() const { return relative_ ? relative_() : event_time(); }
  void require_key_index(const char* what) const {
    if (!opts_.key_index)
      throw std::logic_error("windowed table '" + name() + "': " + what +
                             "() needs key_index = true");
  }
  std::string encode_key(const K& key) const {
    return models::dumps(desc_->key_spec, key);
  }
  V read(const std::string& key_json, const storage::window_range& r) const {
    if (auto raw =
            internal::table_get(*desc_, storage::windowed_key(key_json, r)))
      return models::loads<V>(desc_->value_spec, *raw);
    if (default_)
      return (*default_)();
    throw std::out_of_range("windowed table '" + name() + "': no key " +
                            storage::windowed_key(key_json, r) +
                            " (and no default)");
  }
  void write(const std::string& key_json, const storage::window_range& r,
             const V& v) const {
    internal::table_set(*desc_, storage::windowed_key(key_json, r),
                        models::dumps(desc_->value_spec, v), r.end);
  }

  std::shared_ptr<internal::table_desc> desc_;
  std::shared_ptr<const std::function<V()>> default_;
  window_options opts_;
  timestamp_fn relative_;
};

/// One key's windows: reads pick one window, writes go to every window
/// the table's timestamp falls into.
template <class K, class V> class windowed_table<K, V>::window_set {
public:
  window_set(const windowed_table& t, const K& key)
      : t_(t), key_json_(t.encode_key(key)) {}

  /// The window of the table's relative timestamp.
  V value() const { return t_.read(key_json_, t_.window().current(t_.ts())); }
  /// The window of the current event's timestamp.
  V current() const {
    return t_.read(key_json_, t_.window().current(event_time()));
  }
  /// The earliest window containing the wall clock time (Faust's
  /// `now()`).
  V now() const {
    return t_.read(key_json_, t_.window().earliest(wall_clock()));
  }
  /// The window `seconds` before the current event's.
  V delta(double seconds) const {
    return t_.read(key_json_, t_.window().delta(event_time(), seconds));
  }
  operator V() const { return value(); }

  /// Sets every window the relative timestamp falls into.
  window_set& operator=(const V& v) {
    apply([&](const V&) { return v; });
    return *this;
  }
  template <class D> window_set& operator+=(const D& d) {
    apply([&](const V& old) { return V(old + d); });
    return *this;
  }
  template <class D> window_set& operator-=(const D& d) {
    apply([&](const V& old) { return V(old - d); });
    return *this;
  }
  template <class D> window_set& operator*=(const D& d) {
    apply([&](const V& old) { return V(old * d); });
    return *this;
  }

private:
  template <class Op> void apply(Op op) {
    for (auto& range : t_.window().ranges(t_.ts()))
      t_.write(key_json_, range, op(t_.read(key_json_, range)));
  }
  /// A copy (shared pointers and the timestamp function): no allocation
  /// per `table[key]`, and valid whatever handle it came from.
  windowed_table t_;
  std::string key_json_;
};

} // namespace faust
