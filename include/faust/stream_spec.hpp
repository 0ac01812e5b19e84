#pragma once

#include "faust/event.hpp"
#include "faust/topic.hpp"
#include "models/record.hpp"
#include "models/reqrep.hpp"
#include "models/serializer.hpp"

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace faust {

/// Options of `group_by`.
struct group_by_options {
  /// Partitions of the repartition topic; unset: `topic_partitions`.
  std::optional<int32_t> partitions{};
  /// Serializer of the new key; unset: the source topic's key serializer
  /// (as Faust does), which must be able to encode the key type.
  std::optional<std::string> key_serializer{};
};

namespace internal {

/// How records of a source topic are re-keyed and forwarded before the agent
/// sees them (`group_by`), or forwarded unchanged (`through`).
struct reroute_desc {
  /// Faust's `name` of the grouping (`Model.field`), or empty for through.
  std::string ident{};
  group_by_options options{};
  /// Computes the new key bytes from a source record (decodes the value).
  /// Throws `models::decode_error` for undecodable records.
  std::function<std::optional<std::string>(const models::message&)> new_key{};
  /// For through: the target topic.
  std::shared_ptr<topic_desc> through{};
  /// Serializer spec of the new key.
  models::serializer_spec key_spec{};
};

} // namespace internal

/// A stream description handed to `app.agent(...)`: its source topics and the
/// operators applied to every event before the agent sees it (Faust's stream
/// methods that do not consume). Cheap to copy; each operator returns a new
/// spec.
template <class K, class V> class stream_spec {
public:
  using key_type = K;
  using value_type = V;
  using op = std::function<bool(event<K, V>&)>;

  explicit stream_spec(topic<K, V> source) : sources_{std::move(source)} {}

  /// Drops events for which `pred(value)` is false (they are acked).
  template <class Pred> stream_spec filter(Pred pred) const {
    auto copy = *this;
    copy.ops_.push_back(
        [pred = std::move(pred)](event<K, V>& ev) { return pred(ev.value); });
    return copy;
  }

  /// Replaces each value by `fn(value)`, in order of addition (Faust's
  /// `processors=` / `add_processor`).
  template <class Fn> stream_spec processor(Fn fn) const {
    auto copy = *this;
    copy.ops_.push_back([fn = std::move(fn)](event<K, V>& ev) {
      ev.value = fn(std::move(ev.value));
      return true;
    });
    return copy;
  }

  /// Sends every value (after the operators before it) to `target` as well,
  /// with no key (Faust's `stream.echo`).
  template <class K2> stream_spec echo(const topic<K2, V>& target) const {
    auto copy = *this;
    copy.ops_.push_back([target](event<K, V>& ev) {
      auto sent = target.send(std::nullopt, ev.value);
      if (!sent)
        throw std::runtime_error("echo: " + sent.error().message);
      return true;
    });
    return copy;
  }

  /// Events are not acked automatically: the agent acks with `event.ack()`.
  stream_spec noack() const {
    auto copy = *this;
    copy.acks_ = false;
    return copy;
  }

  /// Repartitions by a field of the value: records are forwarded (value bytes
  /// unchanged) to `<source>-<agent>-<app_id>-<Model.field>-repartition`,
  /// keyed by the field, and the agent consumes that topic.
  template <class Member>
  requires std::is_member_object_pointer_v<Member> && models::record<V>
  auto group_by(Member field, group_by_options opts = {}) const {
    using F = std::decay_t<decltype(std::declval<const V&>().*field)>;
    std::string ident = std::string(models::record_traits<V>::type_name) + "." +
                        std::string(models::field_name_of(field));
    return group_by_impl<F>([field](const V& v) { return v.*field; },
                            std::move(ident), std::move(opts));
  }

  /// Repartitions by `key_fn(value)`; `name` is the topic suffix (Faust
  /// requires it for callables too).
  template <class Fn>
  requires std::is_invocable_v<Fn&, const V&>
  auto group_by(Fn key_fn, std::string name, group_by_options opts = {}) const {
    using F = std::decay_t<std::invoke_result_t<Fn, const V&>>;
    if (name.empty())
      throw std::invalid_argument("group_by with callback must set "
                                  "name=topic_suffix");
    return group_by_impl<F>(std::move(key_fn), std::move(name),
                            std::move(opts));
  }

  /// Forwards every record unchanged to `target` and consumes from there
  /// (Faust's `stream.through`, e.g. to change the partition count).
  stream_spec through(const topic<K, V>& target) const {
    check_no_reroute();
    auto copy = *this;
    auto r = std::make_shared<internal::reroute_desc>();
    r->through = target.desc_ptr();
    copy.reroute_ = r;
    copy.reroute_target_ = target;
    return copy;
  }

  /// A stream over the sources of both (Faust's `s1 & s2`).
  friend stream_spec merge(const stream_spec& a, const stream_spec& b) {
    if (a.reroute_ || b.reroute_)
      throw std::invalid_argument("cannot merge streams that use "
                                  "group_by/through");
    auto copy = a;
    copy.sources_.insert(copy.sources_.end(), b.sources_.begin(),
                         b.sources_.end());
    copy.ops_.insert(copy.ops_.end(), b.ops_.begin(), b.ops_.end());
    return copy;
  }

  // Used by the runtime.
  const std::vector<topic<K, V>>& sources() const { return sources_; }
  const std::vector<op>& ops() const { return ops_; }
  bool acks_enabled() const { return acks_; }
  const std::shared_ptr<internal::reroute_desc>& reroute() const {
    return reroute_;
  }
  /// For group_by/through: the topic the agent reads (set when the agent is
  /// registered and the repartition topic name is known).
  const std::optional<topic<K, V>>& reroute_target() const {
    return reroute_target_;
  }
  void set_reroute_target_(topic<K, V> t) { reroute_target_ = std::move(t); }

private:
  template <class, class> friend class stream_spec;

  stream_spec() = default;

  void check_no_reroute() const {
    if (reroute_)
      throw std::invalid_argument("Stream already uses group_by/through");
  }

  template <class F, class Fn>
  stream_spec<F, V> group_by_impl(Fn key_fn, std::string ident,
                                  group_by_options opts) const {
    check_no_reroute();
    if (!ops_.empty())
      throw std::invalid_argument("call group_by before filter/processor");
    if (sources_.size() != 1 || sources_.front().is_channel())
      throw std::invalid_argument("Cannot repartition stream with non-topic "
                                  "channel (or several topics)");
    auto& source = sources_.front();
    auto r = std::make_shared<internal::reroute_desc>();
    r->ident = std::move(ident);
    r->key_spec =
        opts.key_serializer
            ? internal::codecs(*source.core_ptr()).parse(*opts.key_serializer)
            : source.key_serializer();
    r->options = std::move(opts);
    auto value_spec = source.value_serializer();
    auto key_spec = r->key_spec;
    r->new_key = [value_spec, key_spec, key_fn = std::move(key_fn)](
                     const models::message& m) -> std::optional<std::string> {
      V value{};
      std::string reply_to, correlation_id;
      reqrep::decode_value(value_spec, m, value, reply_to, correlation_id);
      return models::dumps(key_spec, static_cast<F>(key_fn(value)));
    };
    stream_spec<F, V> out{};
    out.reroute_ = r;
    out.acks_ = acks_;
    // The source topic is typed <K,V>; re-view it as <F,V> for the runtime.
    out.sources_.push_back(topic<F, V>(source.core_ptr(), source.desc_ptr()));
    return out;
  }

  std::vector<topic<K, V>> sources_{};
  std::vector<op> ops_{};
  bool acks_ = true;
  std::shared_ptr<internal::reroute_desc> reroute_{};
  std::optional<topic<K, V>> reroute_target_{};
};

template <class K, class V> stream_spec<K, V> topic<K, V>::stream() const {
  return stream_spec<K, V>(*this);
}

} // namespace faust
