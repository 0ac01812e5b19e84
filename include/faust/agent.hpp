#pragma once

#include "faust/detail/agent_runtime.hpp"
#include "faust/detail/core_access.hpp"
#include "faust/detail/countdown.hpp"
#include "faust/detail/uuid.hpp"
#include "faust/detail/wake.hpp"
#include "faust/topic.hpp"
#include "models/reqrep.hpp"
#include "supervision/restart_limits.hpp"

#include <chrono>
#include <coroutine>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faust {

/// Options of `app.agent(...)`, as Faust's `@app.agent` arguments.
struct agent_options {
  /// Instances sharing the stream (events are distributed, not copied).
  size_t concurrency = 1;
  /// One instance per partition instead (concurrency must be 1).
  bool isolated_partitions = false;
  /// Supervisor strategy; unset: the `agent_supervisor` setting.
  std::optional<std::string> supervisor_strategy{};
  /// Faust: 100 restarts within 1 s before the supervisor gives up.
  supervision::restart_limits restart_limits{};
  /// Put ask's reply address in headers instead of the request envelope.
  bool use_reply_headers = false;
  /// Shown by the `agents` command.
  std::string help{};
};

/// Arguments of ask/send/join beyond the value.
template <class K> struct ask_options {
  std::optional<K> key{};
  std::optional<int32_t> partition{};
  /// Faust waits forever; we fail with a clear error after this.
  std::chrono::milliseconds timeout{std::chrono::seconds{30}};
  /// Where the reply goes; unset: this app's reply topic.
  std::optional<std::string> reply_to{};
  std::optional<std::string> correlation_id{};
  /// How `ask` reaches the agent: directly over the cluster to the worker
  /// that owns the key (falling back to the topic when no owner can take
  /// it and nothing ran), only directly, or only through Kafka.
  internal::call_path via = internal::call_path::automatic;
};

/// A handle to an agent (Faust's `Agent` object): send it values with
/// `cast`, call it with `ask`/`join`/`map`, attach sinks. Cheap to copy;
/// thread-safe once the app runs. `K`/`V` are the key and value types of
/// the topic requests go to, `R` what the agent yields (void: nothing).
template <class K, class V, class R> class agent_ref {
public:
  using reply_type = R;
  /// What sinks receive (R, or an empty placeholder for void agents).
  using sink_arg = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

  agent_ref(std::string name, std::shared_ptr<internal::app_core> core,
            std::shared_ptr<internal::topic_desc> channel,
            std::shared_ptr<internal::agent_runtime<K, V, R>> runtime,
            bool use_reply_headers)
      : name_(std::move(name)), core_(std::move(core)),
        channel_(std::move(channel)), runtime_(std::move(runtime)),
        use_reply_headers_(use_reply_headers) {}

  const std::string& name() const { return name_; }
  /// The topic requests are sent to.
  const std::string& topic_name() const { return channel_->names.front(); }

  /// Sends `value` to the agent; no reply (Faust's `cast`): through the
  /// agent's topic (durable), or with `via = call_path::cluster` directly
  /// to the worker that owns the key, at most once (batched per worker; a
  /// cast no worker takes now is dropped). A direct cast's metadata has no
  /// partition or offset.
  result<transport::record_metadata> cast(V value,
                                          ask_options<K> opts = {}) const {
    if (opts.via == internal::call_path::cluster && !channel_->is_channel) {
      internal::direct_cast c{};
      if (auto bad = encode_direct(value, opts, c.key, c.value))
        return *bad;
      c.agent = &runtime_->name; // both live as long as the app
      c.topic = &channel_->names.front();
      c.partition = opts.partition.value_or(-1);
      if (!internal::cast_directly(*core_, std::move(c)))
        return error{errc::not_running,
                     "cast to agent '" + name_ +
                         "': direct casts need a running Kafka app (not "
                         "exactly_once)"};
      return transport::record_metadata{topic_name(), -1, -1, 0, false};
    }
    return send_request(std::move(value), opts, std::nullopt);
  }

  /// Sends `value` with a reply address: the agent's reply (a
  /// `@ReqRepResponse` record) goes to `opts.reply_to` (Faust's
  /// `agent.send(reply_to=...)`).
  result<transport::record_metadata> send(V value,
                                          ask_options<K> opts = {}) const {
    if (!opts.reply_to)
      return send_request(std::move(value), opts, std::nullopt);
    auto id = opts.correlation_id.value_or(uuid4());
    return send_request(std::move(value), opts, id);
  }

  /// Sends `value` and calls `done` (on a runtime thread) with the reply, or
  /// with an error after `opts.timeout`.
  void ask_async(V value, std::function<void(result<R>)> done,
                 ask_options<K> opts = {}) const requires(!std::is_void_v<R>) {
    auto id = opts.correlation_id.value_or(uuid4());
    auto reply_to = opts.reply_to.value_or(internal::reply_topic(*core_));
    auto waiter = std::make_shared<internal::pending_reply>();
    auto shared_done =
        std::make_shared<internal::once_callback<R>>(std::move(done));
    waiter->on_value = [shared_done,
                        name = name_](const models::value_reader& reader,
                                      models::value_ref el) {
      auto decoded = [&]() -> result<R> {
        if constexpr (models::is_codable_v<R>) {
          try {
            R reply{};
            models::read_value(reader, el, reply,
                               models::decode_path{nullptr, "reply"});
            return reply;
          } catch (const std::exception& e) {
            return error{errc::decode,
                         "ask to agent '" + name +
                             "': the reply does not decode: " + e.what()};
          }
        } else {
          return error{errc::decode,
                       "ask to agent '" + name +
                           "': its result type has no JSON decoding"};
        }
      }();
      // Outside the try: what the caller's callback throws is its own.
      (*shared_done)(std::move(decoded));
    };
    waiter->on_error = [shared_done, name = name_, id, reply_to,
                        timeout = opts.timeout](const error& why) {
      // The reply actor says only "timed out"; a direct call says where.
      std::string what =
          why.code != errc::timeout ? why.message
          : why.message == "timed out"
              ? "got no reply within " + std::to_string(timeout.count()) + " ms"
              : why.message;
      (*shared_done)(error{why.code, "ask to agent '" + name + "' " + what +
                                         " (correlation_id " + id +
                                         ", reply_to '" + reply_to + "')"});
    };
    // Directly to the key's owner when the app makes direct calls and the
    // caller gave no reply topic of its own.
    if (opts.via != internal::call_path::kafka && !opts.reply_to &&
        !channel_->is_channel && (opts.key || opts.partition)) {
      internal::direct_request direct{};
      if (auto bad = encode_direct(value, opts, direct.key, direct.value)) {
        (*shared_done)(std::move(*bad));
        return;
      }
      direct.agent = name_;
      direct.topic = topic_name();
      direct.partition = opts.partition.value_or(-1);
      direct.correlation_id = id;
      direct.timeout = opts.timeout;
      direct.via = opts.via;
      direct.waiter = waiter;
      if (opts.via == internal::call_path::automatic) {
        auto self = *this;
        auto shared_value = std::make_shared<V>(value);
        direct.through_kafka = [self, shared_value, opts, id, reply_to, waiter,
                                shared_done](std::chrono::milliseconds left) {
          auto rest = opts;
          rest.timeout = left;
          self.ask_through_topic(*shared_value, rest, id, reply_to, waiter,
                                 shared_done);
        };
      }
      if (internal::call_directly(*core_, std::move(direct)))
        return;
      if (opts.via == internal::call_path::cluster) {
        (*shared_done)(error{errc::not_running,
                             "ask to agent '" + name_ +
                                 "': direct calls need a running Kafka app "
                                 "(not exactly_once)"});
        return;
      }
    }
    ask_through_topic(std::move(value), opts, id, reply_to, waiter,
                      shared_done);
  }

  /// What `co_await agent.ask_async(value, opts)` gives: the reply, or the
  /// error (as `ask`).
  class [[nodiscard]] ask_awaiter {
  public:
    ask_awaiter(agent_ref ref, V value, ask_options<K> opts)
        : ref_(std::move(ref)), value_(std::move(value)),
          opts_(std::move(opts)) {}
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<>) {
      auto* target = internal::current_wake_target();
      if (!target) {
        slot_->reply.emplace(error{
            errc::invalid_argument,
            "ask to agent '" + ref_.name_ +
                "': co_await ask_async runs inside a coroutine agent only "
                "(elsewhere call ask, or ask_async with a callback)"});
        return false; // goes on at once with the error
      }
      auto wake = target->suspend_here();
      auto slot = slot_;
      auto arrived = [slot, wake](result<R> r) {
        slot->reply.emplace(std::move(r));
        wake();
      };
      ref_.ask_async(std::move(value_), std::move(arrived), std::move(opts_));
      return true;
    }
    result<R> await_resume() { return std::move(*slot_->reply); }

  private:
    /// Written by the reply's thread before the wake; read on the agent's
    /// actor after it (the wake is a message: it orders the two).
    struct slot {
      std::optional<result<R>> reply;
    };
    agent_ref ref_;
    V value_;
    ask_options<K> opts_;
    std::shared_ptr<slot> slot_ = std::make_shared<slot>();
  };

  /// Asks from inside a coroutine agent without blocking its thread:
  ///
  ///     auto total = co_await totals.ask_async(add, account); // by key
  ///     if (!total) ... total.error() ...
  ///
  ///     faust::ask_options<std::string> opts{.key = account,
  ///                                          .timeout = 2s};
  ///     auto total = co_await totals.ask_async(add, opts);
  ///
  /// Options are taken as a named variable only: g++ 12 destroys a braced
  /// temporary written inside a `co_await` expression twice (so
  /// `co_await a.ask_async(v, {.key = k})` does not compile, rather than
  /// crash). For the same reason, name a braced value on its own line.
  ///
  /// The instance takes no other event while it waits: the current event
  /// stays open (its table writes before and after belong to it) and is
  /// acked when the agent asks for the next one. Directly to the owner of
  /// the key as `ask` goes (in this process: no topic round trip). An agent
  /// that asks itself with concurrency 1 waits out the timeout. Outside an
  /// agent the awaiter gives an `invalid_argument` error. Await it in the
  /// agent's own coroutine, not inside a nested task type of your own: the
  /// instance resumes the agent's coroutine when the reply arrives.
  ask_awaiter ask_async(V value) const requires(!std::is_void_v<R>) {
    return ask_awaiter{*this, std::move(value), {}};
  }
  /// The same with a key (to its partition, as `ask`).
  ask_awaiter ask_async(V value, K key) const requires(!std::is_void_v<R>) {
    ask_options<K> opts{};
    opts.key = std::move(key);
    return ask_awaiter{*this, std::move(value), std::move(opts)};
  }
  /// The same with options (a named variable: see above).
  ask_awaiter ask_async(V value, ask_options<K>& opts) const
      requires(!std::is_void_v<R>) {
    return ask_awaiter{*this, std::move(value), opts};
  }

  /// Sends `value` and waits for the agent's reply (Faust's `ask`). Blocks
  /// the calling thread: do not call it from inside an actor or agent.
  result<R> ask(V value, ask_options<K> opts = {}) const
      requires(!std::is_void_v<R>) {
    auto reply = std::make_shared<std::unique_ptr<result<R>>>();
    auto arrived = std::make_shared<internal::countdown>(1);
    ask_async(
        std::move(value),
        [reply, arrived](result<R> r) {
          *reply = std::make_unique<result<R>>(std::move(r));
          arrived->arrive();
        },
        std::move(opts));
    arrived->wait();
    return std::move(**reply);
  }

  /// Asks for every value (all with `key`) and returns the replies in input
  /// order (Faust's `join`).
  std::vector<result<R>> join(std::vector<V> values,
                              ask_options<K> opts = {}) const
      requires(!std::is_void_v<R>) {
    std::vector<std::pair<std::optional<K>, V>> items{};
    for (auto& v : values)
      items.emplace_back(opts.key, std::move(v));
    return kvjoin(std::move(items), opts);
  }

  /// Like `join` for (key, value) pairs (Faust's `kvjoin`).
  std::vector<result<R>>
  kvjoin(std::vector<std::pair<std::optional<K>, V>> items,
         ask_options<K> opts = {}) const requires(!std::is_void_v<R>) {
    auto results = collect(std::move(items), opts, nullptr);
    std::vector<result<R>> ordered{};
    for (auto& slot : results)
      ordered.push_back(std::move(*slot));
    return ordered;
  }

  /// Asks for every value and calls `on_reply` for each reply as it
  /// arrives (Faust's `map`); returns once all replied or timed out.
  void map(std::vector<V> values, std::function<void(result<R>)> on_reply,
           ask_options<K> opts = {}) const requires(!std::is_void_v<R>) {
    std::vector<std::pair<std::optional<K>, V>> items{};
    for (auto& v : values)
      items.emplace_back(opts.key, std::move(v));
    collect(std::move(items), opts, std::move(on_reply));
  }

  /// Like `map` for (key, value) pairs (Faust's `kvmap`).
  void kvmap(std::vector<std::pair<std::optional<K>, V>> items,
             std::function<void(result<R>)> on_reply,
             ask_options<K> opts = {}) const requires(!std::is_void_v<R>) {
    collect(std::move(items), opts, std::move(on_reply));
  }

  /// Calls `fn` with every value the agent yields (Faust's sink=[callable]).
  /// Add sinks before the app starts.
  void add_sink(std::function<void(const sink_arg&)> fn) const
      requires(!std::is_void_v<R>) {
    runtime_->sinks.push_back(std::move(fn));
  }

  /// Sends every yielded value to `target` (no key).
  template <class K2>
  void add_sink(const topic<K2, sink_arg>& target) const
      requires(!std::is_void_v<R>) {
    runtime_->sinks.push_back([target, name = name_](const sink_arg& v) {
      auto sent = target.send(std::nullopt, v);
      if (!sent)
        throw std::runtime_error("agent '" + name +
                                 "' sink: " + sent.error().message);
    });
  }

  /// Casts every yielded value to another agent.
  template <class K2, class R2>
  void add_sink(const agent_ref<K2, sink_arg, R2>& other) const
      requires(!std::is_void_v<R>) {
    runtime_->sinks.push_back([other, name = name_](const sink_arg& v) {
      auto sent = other.cast(v);
      if (!sent)
        throw std::runtime_error("agent '" + name +
                                 "' sink: " + sent.error().message);
    });
  }

private:
  /// Key and value as the agent's topic serializes them (a direct call
  /// carries the same bytes its topic would); the error if they do not
  /// encode.
  std::optional<error> encode_direct(const V& value, const ask_options<K>& opts,
                                     std::optional<std::string>& key,
                                     std::optional<std::string>& bytes) const {
    try {
      if (opts.key)
        key = models::dumps(channel_->key_spec, *opts.key);
      bytes = models::dumps(channel_->value_spec, value);
      return std::nullopt;
    } catch (const std::exception& e) {
      return error{errc::encode,
                   "cannot send to agent '" + name_ + "': " + e.what()};
    }
  }

  /// Faust's ask: the request to the agent's topic, the reply from ours.
  void ask_through_topic(
      V value, ask_options<K> opts, const std::string& id,
      const std::string& reply_to,
      const std::shared_ptr<internal::pending_reply>& waiter,
      const std::shared_ptr<internal::once_callback<R>>& shared_done) const {
    if (!internal::await_reply(*core_, id, waiter, opts.timeout)) {
      (*shared_done)(error{errc::not_running,
                           "ask to agent '" + name_ +
                               "': the app is not running (call app.start())"});
      return;
    }
    opts.reply_to = reply_to;
    auto sent = send_request(std::move(value), opts, id);
    if (!sent) {
      internal::cancel_reply(*core_, id);
      (*shared_done)(
          sent.error().with_context("ask to agent '" + name_ + "': "));
    }
  }

  result<transport::record_metadata>
  send_request(V value, const ask_options<K>& opts,
               const std::optional<std::string>& correlation_id) const {
    models::message m{};
    m.topic = channel_->names.front();
    m.partition = opts.partition.value_or(-1);
    try {
      if (channel_->is_channel) {
        if (opts.key)
          m.key_object = *opts.key;
      } else if (opts.key) {
        m.key = models::dumps(channel_->key_spec, *opts.key);
      }
      if (!correlation_id) {
        if (channel_->is_channel)
          m.value_object = std::move(value);
        else
          m.value = models::dumps(channel_->value_spec, value);
      } else if (use_reply_headers_ || channel_->is_channel) {
        if (channel_->is_channel)
          m.value_object = std::move(value);
        else
          m.value = models::dumps(channel_->value_spec, value);
        m.headers.push_back(
            {std::string(reqrep::reply_to_header), *opts.reply_to});
        m.headers.push_back(
            {std::string(reqrep::correlation_id_header), *correlation_id});
      } else {
        m.value =
            reqrep::encode_request(value, *opts.reply_to, *correlation_id);
      }
    } catch (const std::exception& e) {
      return error{errc::encode,
                   "cannot send to agent '" + name_ + "': " + e.what()};
    }
    return internal::produce(*core_, std::move(m));
  }

  /// Asks for all items; calls `on_reply` in arrival order if given.
  /// Returns the results in input order.
  std::vector<std::unique_ptr<result<R>>>
  collect(std::vector<std::pair<std::optional<K>, V>> items,
          const ask_options<K>& opts,
          std::function<void(result<R>)> on_reply) const {
    struct replies {
      explicit replies(size_t n) : arrived(n), results(n) {}
      internal::countdown arrived;
      /// One slot per item, each written by its own reply only.
      std::vector<std::unique_ptr<result<R>>> results;
    };
    auto b = std::make_shared<replies>(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      auto item_opts = opts;
      item_opts.key = items[i].first;
      item_opts.correlation_id.reset();
      ask_async(
          std::move(items[i].second),
          [b, i, on_reply](result<R> r) {
            if (on_reply)
              on_reply(r);
            b->results[i] = std::make_unique<result<R>>(std::move(r));
            b->arrived.arrive();
          },
          item_opts);
    }
    b->arrived.wait();
    return std::move(b->results);
  }

  std::string name_{};
  std::shared_ptr<internal::app_core> core_{};
  std::shared_ptr<internal::topic_desc> channel_{};
  std::shared_ptr<internal::agent_runtime<K, V, R>> runtime_{};
  bool use_reply_headers_ = false;
};

} // namespace faust
