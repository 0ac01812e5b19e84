#pragma once

#include "faust/agent.hpp"
#include "faust/agent_task.hpp"
#include "faust/detail/agent_processors.hpp"
#include "faust/detail/key_text.hpp"
#include "faust/detail/timer_config.hpp"
#include "faust/event.hpp"
#include "faust/monitor.hpp"
#include "faust/set_table.hpp"
#include "faust/settings.hpp"
#include "faust/stream.hpp"
#include "faust/stream_spec.hpp"
#include "faust/table.hpp"
#include "faust/table_options.hpp"
#include "faust/topic.hpp"
#include "faust/web_page.hpp"
#include "supervision/log_level.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace faust {

namespace internal {
struct app_inspector;
}

/// Options of `app.timer`.
struct timer_options {
  /// Run only on the leader worker (Faust's distributed mutex).
  bool on_leader = false;
  std::string name{};
};

/// Options of `app.crontab`.
struct crontab_options {
  /// IANA time zone; unset: the `timezone` setting.
  std::optional<std::string> timezone{};
  bool on_leader = false;
  std::string name{};
};

/// What `app.agents()` reports of an agent (the `agents` command).
struct agent_info {
  std::string name{};
  /// The topics the agent was declared with (for a `group_by` agent, its
  /// source topic, not the repartition topic it reads behind the scenes).
  std::vector<std::string> topics{};
  std::string help{};
  size_t concurrency = 1;
  bool isolated_partitions = false;
};

/// What `app.tables()` reports of a table (the `tables` command).
struct table_info {
  std::string name{};
  std::string changelog_topic{};
  int32_t partitions = 0;
  std::string store{};
  std::string help{};
  std::string key_type{};
  std::string value_type{};
};

/// A faust-cpp application (Faust's `faust.App`): declare topics, channels,
/// agents, timers, crontabs and tasks, then `start()` it in-process or hand
/// `argv` to `main()` for the worker command line.
///
///     faust::app app{{.id = "hello-world"}};
///     auto greetings = app.topic<std::string, std::string>(
///         "greetings", {.value_serializer = "raw"});
///     app.agent("print_greetings", greetings,
///               [](std::string& greeting) { std::puts(greeting.c_str()); });
///     return app.main(argc, argv);
///
/// Agents are CAF actors: each instance runs one event at a time; instances
/// of one agent run in parallel. Declarations happen before `start()`.
class app {
public:
  explicit app(app_settings settings);
  ~app();
  app(const app&) = delete;
  app& operator=(const app&) = delete;

  /// The effective app id (`id`, or `id-vN`).
  const std::string& id() const;
  const app_settings& settings() const;
  /// Codecs by name; register your own before declaring topics using them.
  models::codec_registry& codecs();

  /// Declares a topic (Faust's `app.topic`). `V` defaults to untyped JSON.
  template <class K = std::string, class V = nlohmann::ordered_json>
  faust::topic<K, V> topic(std::string name, topic_options opts = {}) {
    return topic<K, V>(std::vector<std::string>{std::move(name)},
                       std::move(opts));
  }

  /// Declares a topic with several names (the stream reads all of them).
  template <class K = std::string, class V = nlohmann::ordered_json>
  faust::topic<K, V> topic(std::vector<std::string> names,
                           topic_options opts = {}) {
    require_not_started("topic");
    models::collect_models<K>(internal::models_of(*core_));
    models::collect_models<V>(internal::models_of(*core_));
    return faust::topic<K, V>(
        core_,
        internal::declare_topic(*core_, std::move(names), std::move(opts)));
  }

  /// Declares an in-process channel (Faust's `app.channel`).
  template <class K = std::string, class V = nlohmann::ordered_json>
  faust::channel<K, V> channel() {
    require_not_started("channel");
    models::collect_models<K>(internal::models_of(*core_));
    models::collect_models<V>(internal::models_of(*core_));
    return faust::channel<K, V>(core_, internal::declare_channel(*core_));
  }

  /// A stream over a topic or channel (Faust's `app.stream(channel)`).
  template <class K, class V>
  stream_spec<K, V> stream(const faust::topic<K, V>& source) const {
    return source.stream();
  }

  /// Declares a table (Faust's `app.Table`) without a default: reading a
  /// missing key with `at` or `table[key]` throws `std::out_of_range`.
  /// Keys and values go to the changelog as JSON unless
  /// `opts.key_serializer`/`value_serializer` say otherwise.
  template <class K, class V>
  faust::table<K, V> table(std::string name, table_options opts = {}) {
    return faust::table<K, V>(declare_table<K, V>(std::move(name), opts),
                              nullptr);
  }

  /// Declares a table whose missing keys read as `default_value` (Faust's
  /// `default=int` reads 0).
  template <class K, class V>
  faust::table<K, V> table(std::string name, V default_value,
                           table_options opts = {}) {
    auto make = std::make_shared<const std::function<V()>>(
        [d = std::move(default_value)] { return d; });
    return faust::table<K, V>(declare_table<K, V>(std::move(name), opts),
                              std::move(make));
  }

  /// Declares a table of sets (Faust's `app.SetTable`): `st[key].add(m)`,
  /// `.discard(m)`, `.update(added, removed)`; its changelog holds the
  /// operations and is not compacted. Members are JSON.
  template <class K, class V>
  faust::set_table<K, V> set_table(std::string name, table_options opts = {}) {
    if (opts.value_serializer && *opts.value_serializer != "json")
      throw std::invalid_argument("set table '" + name +
                                  "': members are stored as JSON; "
                                  "value_serializer must be json, not '" +
                                  *opts.value_serializer + "'");
    auto desc = declare_table<K, V>(std::move(name), opts);
    internal::make_set_table(*desc);
    return faust::set_table<K, V>(std::move(desc));
  }

  /// The declared tables (the `tables` command).
  std::vector<table_info> tables() const;

  /// Declares an agent reading `source` (a topic, channel or stream spec).
  /// `fn` is one of:
  ///   - `agent_task<R> fn(stream<K,V>&)`: a coroutine that may co_yield;
  ///   - `R fn(event<K,V>&)`: called per event with key and metadata;
  ///   - `R fn(V&)`: called per value.
  /// A returned/yielded R is the reply to `ask` and goes to the sinks.
  template <class K, class V, class Fn>
  auto agent(std::string name, stream_spec<K, V> source, Fn fn,
             agent_options opts = {});

  template <class K, class V, class Fn>
  auto agent(std::string name, const faust::topic<K, V>& source, Fn fn,
             agent_options opts = {}) {
    return agent(std::move(name), source.stream(), std::move(fn),
                 std::move(opts));
  }

  /// Declares an agent on its own topic `<app_id>-<name>` (Faust's agent
  /// without a channel), with values of type `V`.
  template <class V, class K = std::string, class Fn>
  auto agent(std::string name, Fn fn, agent_options opts = {},
             topic_options topic_opts = {}) {
    topic_opts.internal = true;
    auto t = topic<K, V>(id() + "-" + name, std::move(topic_opts));
    return agent(std::move(name), t.stream(), std::move(fn), std::move(opts));
  }

  /// Runs `fn` every `interval`, first `interval` after start (Faust's
  /// `@app.timer`). Runs are spaced from the schedule, not from the end of
  /// the previous run, so they do not drift.
  void timer(std::chrono::milliseconds interval, std::function<void()> fn,
             timer_options opts = {});

  /// Runs `fn` at the times a cron expression gives, in a time zone
  /// (Faust's `@app.crontab`). Throws `std::invalid_argument` for a bad
  /// expression or an unknown time zone.
  void crontab(const std::string& expr, std::function<void()> fn,
               crontab_options opts = {});

  /// Runs `fn` once when the app has started (Faust's `@app.task`).
  void task(std::function<void()> fn);

  /// Serves `handler`'s answers at `path` on the worker's web server
  /// (Faust's `@app.page`): an exact path or a pattern whose `{name}`
  /// segments match any one segment (`"/count/{word}/"`); a trailing '/'
  /// is optional. Throws `std::invalid_argument` for a path a built-in view
  /// or another page has, or one that does not start with '/'.
  void page(std::string path, page_handler handler);
  /// The same for a page that answers later (see `async_page_handler`).
  void page_async(std::string path, async_page_handler handler);

  /// The worker's web server URL (`canonical_url`) while it runs; empty
  /// before `start`, after `stop` and without a web server.
  std::string web_url() const;

  /// Starts the actors: creates topics, starts consumers, agents, timers,
  /// then tasks. Throws `std::runtime_error` if a topic cannot be created.
  void start();

  /// Stops gracefully: stops fetching, lets agents finish the events they
  /// have, commits what was acked, then stops every actor.
  void stop();

  /// Starts, waits for SIGINT/SIGTERM or a fatal crash, stops. Returns the
  /// process exit code (0, or 1 when supervision gave up).
  int run();

  /// The app's command line (Faust's `app.main()`): `worker`, `send`,
  /// `agents`, `models`, `model`, `tables`, `reset`, each with `--help`.
  /// Options override environment settings (`FAUST_BROKER`, ...), which
  /// override the code's settings. Returns the exit code.
  int main(int argc, char** argv);

  /// Waits until every partition the app reads has been read to its end and
  /// every record acked and committed (records forwarded by group_by
  /// included), or `timeout` passes; false on timeout. For tests and
  /// examples that feed a finite input.
  bool wait_until_idle(std::chrono::milliseconds timeout);

  /// Waits until supervision gives up (an agent supervisor exceeded its
  /// restart limits); false if `timeout` passes first.
  bool wait_until_crashed(std::chrono::milliseconds timeout);

  /// Calls `fn(topic_partition, offset)` after each commit (Faust's sensor
  /// `on_commit_completed`); it runs on a runtime thread. Set before start.
  void
  on_commit(std::function<void(const models::topic_partition&, int64_t)> fn);

  /// Calls `fn` with the partitions the consumer group gives this worker
  /// (Faust's `app.on_partitions_assigned` signal); for `memory://`, once at
  /// start with every partition. Runs on a runtime actor (the rebalance
  /// coordinator), before any record of the partitions is processed: keep it
  /// short, and do not block; an exception is logged and counted
  /// (`monitor().hook_errors`). Set before start.
  void on_partitions_assigned(
      std::function<void(const std::vector<models::topic_partition>&)> fn);
  /// Calls `fn` with the partitions taken away (revoked, or lost when the
  /// session expired), before they go (Faust's `on_partitions_revoked`).
  void on_partitions_revoked(
      std::function<void(const std::vector<models::topic_partition>&)> fn);

  /// True when this worker is the leader: the worker the consumer group
  /// gives partition 0 of `<app_id>-__assignor-__leader` (Faust's way; one
  /// per group generation), always for `memory://`. `on_leader` timers and
  /// crontabs run only there.
  bool is_leader() const;

  bool running() const;
  /// Set when supervision gave up (the worker must exit).
  bool crashed() const;

  const internal::app_monitor& monitor() const;
  std::vector<agent_info> agents() const;

private:
  friend struct internal::app_inspector;
  struct entity {
    agent_info info{};
    /// The topics its instances read (the repartition topic of a group_by
    /// agent; the source for the forwarder that feeds it).
    std::vector<std::string> inputs{};
    /// The runtime's own (a group_by forwarder): not listed by `agents`.
    bool internal = false;
    internal::processor_factory make_processor{};
    /// Isolated partitions: one slot per partition of this topic.
    std::shared_ptr<internal::topic_desc> isolated_input{};
    std::optional<std::string> strategy{};
    supervision::restart_limits limits{};
  };
  struct runtime;

  using entity_info = entity;
  /// `send`'s choices of how key and value are written (Faust's
  /// `--key-type`/`--value-type`: a model name; `--key-serializer`/
  /// `--value-serializer`: a serializer instead of the topic's).
  struct send_encoding {
    std::string key_type{};
    std::string value_type{};
    std::string key_serializer{};
    std::string value_serializer{};
  };
  int send_from_command_line(const std::string& entity,
                             const std::optional<std::string>& value,
                             const std::optional<std::string>& key,
                             std::optional<int32_t> partition, int repeat,
                             const send_encoding& encoding);
  /// The `tables` command: the declared tables with the keys the datadir
  /// holds, or every key and value of table `dump`.
  int tables_command(const std::string& dump, bool as_json);
  int cluster_command(bool as_json);
  /// The `ask` command: one ask as a client_only process.
  int ask_command(const std::string& entity, const std::string& value,
                  const std::optional<std::string>& key,
                  std::optional<int32_t> partition, double timeout_s,
                  const std::string& via, bool as_json);
  void require_not_started(const char* what) const;
  std::string default_strategy(const std::optional<std::string>& s) const;
  void add_entity(entity e);
  /// The untyped part of `agent`: checks the options, declares a group_by
  /// agent's repartition topic and its forwarder, and registers the agent.
  /// Returns the topic its instances read.
  std::shared_ptr<internal::topic_desc>
  add_agent(const std::string& name,
            const std::vector<std::shared_ptr<internal::topic_desc>>& sources,
            const std::shared_ptr<internal::reroute_desc>& reroute,
            const agent_options& opts, internal::processor_factory factory);
  void add_timer(internal::timer_config t, std::function<void()> fn,
                 bool on_leader);

  template <class K, class V>
  std::shared_ptr<internal::table_desc> declare_table(std::string name,
                                                      table_options& opts) {
    require_not_started("table");
    models::collect_models<K>(internal::models_of(*core_));
    models::collect_models<V>(internal::models_of(*core_));
    auto t = add_table(std::move(name), opts, models::type_label<K>(),
                       models::type_label<V>());
    t->key_bytes_of_text = [spec = t->key_spec](std::string_view text) {
      return models::dumps(spec, internal::key_from_text<K>(text));
    };
    t->value_json_of_bytes = [spec = t->value_spec](std::string_view bytes) {
      return internal::value_json<V>(spec, bytes);
    };
    return t;
  }
  std::shared_ptr<internal::table_desc> add_table(std::string name,
                                                  table_options& opts,
                                                  std::string key_type,
                                                  std::string value_type);
  /// Makes table partitions, checks co-partitioning, and for `memory://`
  /// recovers every table partition (before any event is processed).
  void start_tables(const std::vector<std::string>& sources);

  template <class K, class V, class R, class Fn>
  static internal::processor_factory
  make_factory(std::shared_ptr<internal::agent_runtime<K, V, R>> rt,
               std::shared_ptr<Fn> fn);

  std::shared_ptr<internal::app_core> core_{};
  std::vector<entity> entities_{};
  std::vector<internal::timer_config> timers_{};
  /// The app's own pages (`page`), by path.
  std::vector<std::pair<std::string, async_page_handler>> pages_{};
  std::vector<std::function<void()>> tasks_{};
  std::unique_ptr<runtime> rt_{};
};

namespace detail {

template <class K, class V, class Fn,
          bool = std::is_invocable_v<Fn&, stream<K, V>&>>
struct returns_agent_task : std::false_type {};
template <class K, class V, class Fn>
struct returns_agent_task<K, V, Fn, true>
    : is_agent_task<std::invoke_result_t<Fn&, stream<K, V>&>> {};

/// Which of the three agent shapes `Fn` has, and what it yields.
template <class K, class V, class Fn> struct agent_shape {
  static constexpr bool coroutine = returns_agent_task<K, V, Fn>::value;
  static constexpr bool on_event =
      !coroutine && std::is_invocable_v<Fn&, event<K, V>&>;
  static constexpr bool on_value =
      !coroutine && !on_event && std::is_invocable_v<Fn&, V&>;
  static_assert(coroutine || on_event || on_value,
                "an agent function must be one of: "
                "agent_task<R> fn(faust::stream<K,V>&), "
                "R fn(faust::event<K,V>&), R fn(V&)");
  static auto result_probe() {
    if constexpr (coroutine)
      return std::type_identity<typename is_agent_task<
          std::invoke_result_t<Fn&, stream<K, V>&>>::result_type>{};
    else if constexpr (on_event)
      return std::type_identity<std::invoke_result_t<Fn&, event<K, V>&>>{};
    else if constexpr (on_value)
      return std::type_identity<std::invoke_result_t<Fn&, V&>>{};
    else
      return std::type_identity<void>{};
  }
  using result_type = typename decltype(result_probe())::type;
};

} // namespace detail

template <class K, class V, class R, class Fn>
internal::processor_factory
app::make_factory(std::shared_ptr<internal::agent_runtime<K, V, R>> rt,
                  std::shared_ptr<Fn> fn) {
  return [rt, fn](size_t index) -> std::unique_ptr<internal::processor> {
    if constexpr (detail::agent_shape<K, V, Fn>::coroutine)
      return std::make_unique<internal::coroutine_processor<K, V, R, Fn>>(
          rt, fn, index);
    else
      return std::make_unique<internal::callback_processor<K, V, R, Fn>>(rt,
                                                                         fn);
  };
}

template <class K, class V, class Fn>
auto app::agent(std::string name, stream_spec<K, V> source, Fn fn,
                agent_options opts) {
  using R = typename detail::agent_shape<K, V, Fn>::result_type;
  auto rt = std::make_shared<internal::agent_runtime<K, V, R>>();
  rt->name = name;
  rt->core = core_;
  rt->events_counted = internal::agent_event_counter(*core_, name);
  rt->ops = source.ops();
  rt->acks_enabled = source.acks_enabled();
  std::vector<std::shared_ptr<internal::topic_desc>> sources{};
  for (auto& s : source.sources())
    sources.push_back(s.desc_ptr());
  auto input =
      add_agent(name, sources, source.reroute(), opts,
                make_factory<K, V, R>(rt, std::make_shared<Fn>(std::move(fn))));
  rt->key_spec = input->key_spec;
  rt->value_spec = input->value_spec;
  return agent_ref<K, V, R>(name, core_, sources.front(), rt,
                            opts.use_reply_headers);
}

} // namespace faust
