#include "faust/app.hpp"

#include "actors/crontab.hpp"
#include "actors/internal/app_inspector.hpp"
#include "actors/internal/forwarder.hpp"
#include "actors/internal/lease_clock.hpp"
#include "actors/internal/messages.hpp"
#include "actors/internal/monitor_sampler.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "actors/internal/runtime_handles.hpp"
#include "actors/internal/web_views.hpp"
#include "actors/interval_schedule.hpp"
#include "actors/protocol/message_types.hpp"
#include "supervision/errors.hpp"
#include "supervision/logger.hpp"
#include "supervision/supervisor.hpp"
#include "transport/kafka/client_destroy.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/producer.hpp"
#include "transport/kafka/transaction_manager.hpp"
#include "transport/memory_broker.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <thread>

namespace faust {

namespace {

/// CAF 0.17 keeps a reference to an actor system's logger in every thread
/// that created the system or a `scoped_actor` of it, and the system's
/// destructor waits until the logger is gone. An app started on one thread
/// and stopped on another would wait there forever (the starting thread
/// still holds its reference). A user thread drops its reference as it
/// leaves each call that touched the actor system.
class user_thread_scope {
public:
  user_thread_scope() = default;
  ~user_thread_scope() { caf::logger::set_current_actor_system(nullptr); }
  user_thread_scope(const user_thread_scope&) = delete;
  user_thread_scope& operator=(const user_thread_scope&) = delete;
};

/// The scheduler: one thread per core unless set, and idle threads that
/// poll for `worker_idle_poll` before they sleep (CAF's moderate polling
/// sleeps 50 us between attempts).
void configure_scheduler(caf::actor_system_config& cfg, const app_settings& s) {
  auto threads = s.worker_threads > 0
                     ? s.worker_threads
                     : std::max<size_t>(1, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", threads);
  constexpr auto step = std::chrono::microseconds{50};
  cfg.set("work-stealing.moderate-sleep-duration", caf::timespan{step});
  cfg.set("work-stealing.moderate-poll-attempts",
          static_cast<size_t>(s.worker_idle_poll / step));
}

} // namespace

/// The runtime's actors that are still alive, by name: what a stop that
/// takes too long reports as stuck.
class actor_roster : public std::enable_shared_from_this<actor_roster> {
public:
  void add(const caf::actor& a, std::string name) {
    {
      std::lock_guard lock(mtx_);
      alive_[a.id()] = std::move(name);
    }
    a->attach_functor([self = weak_from_this(), id = a.id()] {
      if (auto roster = self.lock()) {
        std::lock_guard lock(roster->mtx_);
        roster->alive_.erase(id);
      }
    });
  }
  std::vector<std::string> alive() const {
    std::lock_guard lock(mtx_);
    std::vector<std::string> out;
    for (auto& [id, name] : alive_)
      out.push_back(name);
    return out;
  }

private:
  mutable std::mutex mtx_;
  std::map<caf::actor_id, std::string> alive_;
};

struct app::runtime {
  std::unique_ptr<caf::actor_system_config> cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor root;
  /// Consumers, producer, replies, table manager, dispatchers: under the
  /// "runtime" supervisor, and told to stop directly too.
  std::vector<caf::actor> runtime_actors;
  std::vector<std::pair<std::string, caf::actor>> named_runtime_actors;
  std::shared_ptr<actor_roster> roster;
  /// The worker's endpoint and announcement (Kafka apps).
  std::optional<internal::cluster_runtime> cluster;
  /// The worker's web server (`web_enabled`; not in client-only apps),
  /// its URL (`canonical_url`), and the actors its views ask (published
  /// once the worker runs).
  std::unique_ptr<web::server> web;
  std::string web_url;
  std::shared_ptr<internal::view_actors_slot> view_actors =
      std::make_shared<internal::view_actors_slot>();
  /// What the stop is doing now (for the last-resort report).
  std::atomic<const char*> stop_step{"not stopping"};
  std::mutex mtx;
  std::condition_variable cv;
  bool crashed = false;
  bool stop_requested = false;
  bool stop_done = false;
};

namespace {

/// The consumer actors to drain, commit and ask for idleness.
std::vector<caf::actor> consumers_of(const internal::app_core& core) {
  std::vector<caf::actor> out{
      caf::actor_cast<caf::actor>(core.runtime->consumer)};
  if (core.runtime->channel_consumer != core.runtime->consumer)
    out.push_back(caf::actor_cast<caf::actor>(core.runtime->channel_consumer));
  return out;
}

/// The worker's views and the app's own pages (`app.page`).
std::map<std::string, web::view> with_pages(
    std::map<std::string, web::view> views,
    const std::vector<std::pair<std::string, async_page_handler>>& pages) {
  for (auto& [path, handler] : pages)
    views[path] = [handler](const web::request& req, web::reply done) {
      handler(page_request{req.path, req.params, req.query},
              [done = std::move(done)](page_response r) {
                done(web::response{r.status, std::move(r.content_type),
                                   std::move(r.body)});
              });
    };
  return views;
}

} // namespace

const std::string& app::id() const {
  return core_->app_id;
}

const app_settings& app::settings() const {
  return core_->settings();
}

models::codec_registry& app::codecs() {
  return core_->codecs;
}

bool app::is_leader() const {
  return core_->is_leader();
}

bool app::running() const {
  return core_->running.load();
}

const internal::app_monitor& app::monitor() const {
  return core_->stats;
}

void app::on_commit(
    std::function<void(const models::topic_partition&, int64_t)> fn) {
  require_not_started("commit hook");
  core_->on_commit = std::move(fn);
}

void app::on_partitions_assigned(
    std::function<void(const std::vector<models::topic_partition>&)> fn) {
  require_not_started("partitions hook");
  core_->on_partitions_assigned = std::move(fn);
}

void app::on_partitions_revoked(
    std::function<void(const std::vector<models::topic_partition>&)> fn) {
  require_not_started("partitions hook");
  core_->on_partitions_revoked = std::move(fn);
}

app::app(app_settings settings)
    : core_(std::make_shared<internal::app_core>(std::move(settings))),
      rt_(std::make_unique<runtime>()) {
  if (!supervision::strategy_from_name(core_->settings().agent_supervisor))
    throw std::invalid_argument("agent_supervisor '" +
                                core_->settings().agent_supervisor +
                                "' is not a known supervisor strategy");
}

app::~app() {
  try {
    stop();
  } catch (const std::exception& e) {
    faust::log().error("app '{}': error while stopping: {}", id(), e.what());
  }
}

void app::require_not_started(const char* what) const {
  if (core_->running.load())
    throw std::logic_error(std::string("cannot declare a ") + what +
                           " while the app is running");
}

std::string app::default_strategy(const std::optional<std::string>& s) const {
  return s.value_or(core_->settings().agent_supervisor);
}

void app::add_entity(entity e) {
  if (auto strategy = default_strategy(e.strategy);
      !supervision::strategy_from_name(strategy))
    throw std::invalid_argument("agent '" + e.info.name +
                                "': unknown supervisor strategy '" + strategy +
                                "'");
  for (auto& existing : entities_)
    if (existing.info.name == e.info.name)
      throw std::invalid_argument("agent '" + e.info.name +
                                  "' is declared twice");
  entities_.push_back(std::move(e));
}

std::shared_ptr<internal::topic_desc> app::add_agent(
    const std::string& name,
    const std::vector<std::shared_ptr<internal::topic_desc>>& sources,
    const std::shared_ptr<internal::reroute_desc>& reroute,
    const agent_options& opts, internal::processor_factory factory) {
  require_not_started("agent");
  if (opts.isolated_partitions && opts.concurrency != 1)
    throw std::invalid_argument("Agent concurrency must be 1 when using "
                                "isolated partitions");
  if (opts.concurrency == 0)
    throw std::invalid_argument("agent '" + name +
                                "': concurrency must be at least 1");
  auto& first_source = *sources.front();
  std::vector<std::string> declared{};
  for (auto& s : sources)
    declared.insert(declared.end(), s->names.begin(), s->names.end());
  std::shared_ptr<internal::topic_desc> input{};
  std::vector<std::string> input_names{};
  if (reroute) {
    if (opts.concurrency > 1)
      throw std::invalid_argument("Agent with concurrency>1 cannot use "
                                  "stream.group_by/through");
    if (reroute->through) {
      input = reroute->through;
    } else {
      topic_options t{};
      t.internal = true;
      t.partitions = reroute->options.partitions;
      t.key_serializer = reroute->key_spec.name;
      t.value_serializer = first_source.value_spec.name;
      // Faust 1.5:
      // <source_topic>-<agent_name>-<app_id>-<Model.field>-repartition
      input =
          core_->declare_topic({first_source.name() + "-" + name + "-" + id() +
                                "-" + reroute->ident + "-repartition"},
                               std::move(t));
    }
    entity forwarder{};
    forwarder.info = {name + ":forward", first_source.names,
                      "forwards to " + input->names.front(), 1, false};
    forwarder.inputs = first_source.names;
    forwarder.internal = true;
    forwarder.make_processor = [n = forwarder.info.name, core = core_, reroute,
                                target = input->names.front()](size_t) {
      return std::make_unique<internal::forwarder_processor>(n, core, reroute,
                                                             target);
    };
    forwarder.strategy = opts.supervisor_strategy;
    forwarder.limits = opts.restart_limits;
    add_entity(std::move(forwarder));
    input_names = input->names;
  } else {
    input = sources.front();
    input_names = declared;
  }
  entity e{};
  e.info = {name, std::move(declared), opts.help, opts.concurrency,
            opts.isolated_partitions};
  e.inputs = std::move(input_names);
  if (opts.isolated_partitions)
    e.isolated_input = input;
  e.strategy = opts.supervisor_strategy;
  e.limits = opts.restart_limits;
  e.make_processor = std::move(factory);
  add_entity(std::move(e));
  return input;
}

std::vector<agent_info> app::agents() const {
  std::vector<agent_info> out;
  for (auto& e : entities_)
    if (!e.internal)
      out.push_back(e.info);
  return out;
}

bool app::crashed() const {
  std::lock_guard lock(rt_->mtx);
  return rt_->crashed;
}

void app::add_timer(internal::timer_config t, std::function<void()> fn,
                    bool on_leader) {
  // An exception is logged here, then crashes the timer actor for its
  // supervisor to restart.
  t.run = [fn = std::move(fn), name = t.name] {
    try {
      fn();
    } catch (const std::exception& e) {
      faust::log().error("{} failed: {}", name, e.what());
      throw;
    }
  };
  t.on_leader = on_leader;
  t.is_leader = [this] { return is_leader(); };
  timers_.push_back(std::move(t));
}

void app::timer(std::chrono::milliseconds interval, std::function<void()> fn,
                timer_options opts) {
  require_not_started("timer");
  if (interval.count() <= 0)
    throw std::invalid_argument("timer interval must be positive");
  auto name = "timer '" +
              (opts.name.empty() ? std::to_string(timers_.size()) : opts.name) +
              "'";
  // The schedule lives in the spec so a restarted timer keeps its phase.
  auto schedule = std::make_shared<interval_schedule>(interval);
  internal::timer_config t;
  t.name = name;
  t.next_delay = [schedule] {
    return schedule->next_delay(std::chrono::steady_clock::now());
  };
  add_timer(std::move(t), std::move(fn), opts.on_leader);
}

void app::crontab(const std::string& expr, std::function<void()> fn,
                  crontab_options opts) {
  require_not_started("crontab");
  auto schedule = cron_schedule::parse(expr);
  if (!schedule)
    throw std::invalid_argument(schedule.error().message);
  auto tz = opts.timezone.value_or(core_->settings().timezone);
  try {
    (void)schedule->next_after(std::chrono::system_clock::now(), tz);
  } catch (const std::exception& e) {
    throw std::invalid_argument("crontab '" + expr + "': " + e.what());
  }
  auto name = opts.name.empty() ? "crontab '" + expr + "'" : opts.name;
  internal::timer_config t;
  t.name = name;
  // A timer that wakes a little before the run it was set for (its delay is
  // whole milliseconds) counts from that run, so the minute does not run
  // twice; otherwise (a restart, a clock set back) from now.
  auto last = std::make_shared<std::chrono::system_clock::time_point>();
  t.next_delay = [s = *schedule, tz, core = core_, last] {
    auto now = core->wall_clock();
    bool woke_early = *last > now && *last - now < std::chrono::seconds{1};
    *last = s.next_after(woke_early ? *last : now, tz);
    return std::chrono::ceil<std::chrono::milliseconds>(*last - now);
  };
  add_timer(std::move(t), std::move(fn), opts.on_leader);
}

void app::task(std::function<void()> fn) {
  require_not_started("task");
  tasks_.push_back(std::move(fn));
}

void app::page(std::string path, page_handler handler) {
  page_async(std::move(path), [handler = std::move(handler)](
                                  const page_request& req, page_reply reply) {
    reply(handler(req));
  });
}

void app::page_async(std::string path, async_page_handler handler) {
  require_not_started("page");
  if (auto why = internal::page_path_refused(path); !why.empty())
    throw std::invalid_argument("app.page: " + why);
  auto bare = [](std::string p) {
    while (p.size() > 1 && p.back() == '/')
      p.pop_back();
    return p;
  };
  for (auto& [other, h] : pages_)
    if (bare(other) == bare(path))
      throw std::invalid_argument("app.page: '" + path +
                                  "' is declared already");
  pages_.emplace_back(std::move(path), std::move(handler));
}

std::string app::web_url() const {
  if (!core_->running.load())
    return {};
  return rt_->web_url;
}

std::shared_ptr<internal::table_desc> app::add_table(std::string name,
                                                     table_options& opts,
                                                     std::string key_type,
                                                     std::string value_type) {
  if (name.empty())
    throw std::invalid_argument("a table needs a name");
  for (auto& t : core_->tables)
    if (t->name == name)
      throw std::invalid_argument("table '" + name +
                                  "' is declared twice (two tables with one "
                                  "name would share a changelog topic)");
  auto t = std::make_shared<internal::table_desc>();
  t->name = name;
  t->partitions = opts.partitions.value_or(core_->settings().topic_partitions);
  if (t->partitions < 1)
    throw std::invalid_argument("table '" + name +
                                "': partitions must be at least 1");
  // Without a store of its own, the app's `store` setting decides at start.
  t->store_url = opts.store.value_or("");
  if (!t->store_url.empty() && t->store_url.rfind("memory://", 0) != 0 &&
      t->store_url.rfind("rocksdb://", 0) != 0)
    throw std::invalid_argument("table '" + name + "': unknown store '" +
                                t->store_url +
                                "' (use memory:// or rocksdb://)");
  t->changelog_topic = opts.changelog_topic.empty()
                           ? id() + "-" + name + "-changelog"
                           : opts.changelog_topic;
  t->help = opts.help;
  t->key_type = std::move(key_type);
  t->value_type = std::move(value_type);
  // Faust: a table's serializers are json unless set (not the app's).
  topic_options changelog{};
  changelog.partitions = t->partitions;
  changelog.key_serializer = opts.key_serializer.value_or("json");
  changelog.value_serializer = opts.value_serializer.value_or("json");
  changelog.compacting = true;
  changelog.acks = false;
  changelog.internal = true;
  changelog.allow_empty = true;
  auto topic = core_->declare_topic({t->changelog_topic}, changelog);
  t->changelog_desc = topic;
  t->key_spec = topic->key_spec;
  t->value_spec = topic->value_spec;
  t->options = opts;
  core_->tables.push_back(t);
  return t;
}

std::vector<table_info> app::tables() const {
  std::vector<table_info> out;
  for (auto& t : core_->tables)
    out.push_back({t->name, t->changelog_topic, t->partitions, t->store_url,
                   t->help, t->key_type, t->value_type});
  return out;
}

void app::start_tables(const std::vector<std::string>& sources) {
  if (core_->tables.empty())
    return;
  for (auto& t : core_->tables) {
    bool co_partitioned = sources.empty();
    std::string counts;
    for (auto& s : sources) {
      auto n = core_->partitions_of(s);
      co_partitioned |= n == t->partitions;
      counts += (counts.empty() ? "" : ", ") + s + ": " + std::to_string(n);
    }
    if (!co_partitioned)
      throw std::runtime_error(
          "table '" + t->name + "' has " + std::to_string(t->partitions) +
          " partitions, but no topic the agents read has as many (" + counts +
          "): a table must be co-partitioned with the topic of the agent "
          "that changes it (set the table's partitions)");
    if (!t->options.store)
      t->store_url = core_->settings().store.empty() ? "memory://"
                                                     : core_->settings().store;
    if (t->parts.empty())
      for (int32_t p = 0; p < t->partitions; ++p)
        t->parts.push_back(std::make_unique<internal::table_partition>(p));
    // A new run: nothing of an earlier one waits in the partitions (a
    // memory store is kept in `kept`).
    for (auto& part : t->parts) {
      (void)part->take_writer();
      part->publish(nullptr);
      part->set_owned_here(false);
    }
  }
}

void app::start() {
  user_thread_scope leaving_caf;
  if (auto& bad = core_->environment_error())
    throw std::invalid_argument("app '" + id() + "': " + *bad);
  if (core_->running.load())
    return;
  auto& rt = *rt_;
  auto* rtp = rt_.get();
  // The web server first: a worker that cannot serve its views stops here,
  // before it joins the cluster or the group (its views read counters, which
  // exist already). A start that fails later stops it again.
  bool web_unconfirmed = false;
  struct web_stopper {
    std::unique_ptr<web::server>& web;
    const bool& armed;
    ~web_stopper() {
      if (armed && web) {
        web->stop();
        web.reset();
      }
    }
  } stop_web_on_failure{rt.web, web_unconfirmed};
  if (auto& s = core_->settings(); s.web_enabled && !s.client_only) {
    auto web = web::server::start(
        {s.web_bind, static_cast<uint16_t>(s.web_port)},
        with_pages(internal::worker_views(core_, rt.view_actors), pages_));
    if (!web)
      throw std::runtime_error("app '" + id() + "': " + web.error().message);
    rt.web = std::move(*web);
    web_unconfirmed = true;
    auto host = s.web_host.empty() ? s.web_bind : s.web_host;
    rt.web_url = !s.canonical_url.empty()
                     ? s.canonical_url
                     : "http://" + host + ":" + std::to_string(rt.web->port());
    faust::log().info("web: serving on {}/ (bound to {})", rt.web_url,
                      s.web_bind);
  }
  {
    std::lock_guard lock(rt.mtx);
    rt.crashed = false;
    rt.stop_done = false;
  }
  core_->stop.reset();
  rt.stop_step = "not stopping";
  core_->on_fatal = [rtp](const std::string&) {
    std::lock_guard lock(rtp->mtx);
    rtp->crashed = true;
    rtp->cv.notify_all();
  };
  std::vector<std::string> sources;
  for (auto& e : entities_)
    for (auto& topic : e.inputs)
      sources.push_back(topic);
  auto cancelled = [rtp] {
    std::lock_guard lock(rtp->mtx);
    return rtp->stop_requested;
  };
  if (auto created = core_->create_topics(sources, cancelled); !created)
    throw std::runtime_error("app '" + id() + "': " + created.error().message);
  bool client_only = core_->settings().client_only;
  if (!client_only)
    start_tables(sources);
  if (core_->producer)
    core_->producer->stop_waiting(false);
  // exactly_once: the transactional producers exist before any actor or
  // user thread can send (fixed from here on; the consumer opens and
  // closes their transactions).
  core_->transactions.reset();
  if (core_->uses_kafka() &&
      core_->settings().processing_guarantee == "exactly_once")
    core_->transactions =
        std::make_shared<transport::kafka::transaction_manager>(
            core_->app_id, core_->bootstrap,
            core_->settings().producer_properties,
            core_->settings().broker_request_timeout * 2);
  rt.cfg = std::make_unique<caf::actor_system_config>();
  configure_scheduler(*rt.cfg, core_->settings());
  rt.cfg->set("logger.verbosity", caf::atom("quiet"));
  protocol::add_message_types(*rt.cfg);
  if (core_->uses_kafka())
    internal::configure_cluster(*rt.cfg, *core_);
  rt.sys = std::make_unique<caf::actor_system>(*rt.cfg);
  auto& sys = *rt.sys;
  core_->runtime->system = &sys;
  rt.roster = std::make_shared<actor_roster>();
  auto roster = rt.roster;
  // The runtime's own actors, adopted by the "runtime" supervisor below
  // (they are spawned here so that their handles exist before anything
  // subscribes). Only the producer's poller holds nothing a restart loses.
  std::vector<supervision::child_spec> runtime_children;
  auto adopt = [&](const auto& handle, std::string name,
                   std::function<caf::actor(caf::actor_system&)> respawn) {
    auto a = caf::actor_cast<caf::actor>(handle);
    roster->add(a, name);
    rt.runtime_actors.push_back(a);
    rt.named_runtime_actors.emplace_back(name, a);
    auto first = std::make_shared<caf::actor>(std::move(a));
    bool restartable = static_cast<bool>(respawn);
    runtime_children.push_back(
        {name,
         [first, respawn, roster, name](caf::actor_system& s) {
           if (*first)
             return std::exchange(*first, caf::actor{});
           auto again = respawn(s);
           roster->add(again, name);
           return again;
         },
         restartable});
  };
  if (core_->uses_kafka()) {
    core_->runtime->consumer = internal::spawn_kafka_consumer(sys, core_);
    core_->runtime->channel_consumer =
        internal::spawn_memory_consumer(sys, core_);
    adopt(core_->runtime->consumer, "kafka consumer", nullptr);
    adopt(core_->runtime->channel_consumer, "channel consumer", nullptr);
    if (!client_only)
      adopt(internal::spawn_lease_clock(sys, core_), "lease clock", nullptr);
    adopt(internal::spawn_kafka_producer(sys, core_->producer),
          "producer poller",
          [producer = core_->producer](caf::actor_system& s) {
            return internal::spawn_kafka_producer(s, producer);
          });
  } else {
    core_->runtime->consumer = internal::spawn_memory_consumer(sys, core_);
    core_->runtime->channel_consumer = core_->runtime->consumer;
    adopt(core_->runtime->consumer, "memory consumer", nullptr);
  }
  core_->runtime->replies = internal::spawn_reply_actor(sys, core_);
  adopt(core_->runtime->replies, "reply actor", nullptr);
  adopt(internal::spawn_monitor_sampler(sys, core_), "monitor sampler",
        nullptr);
  if (!core_->tables.empty() && !client_only) {
    core_->runtime->table_manager = internal::spawn_table_manager(sys, core_);
    adopt(core_->runtime->table_manager, "table manager", nullptr);
  }
  // A cluster endpoint that cannot start stops the worker once what was
  // spawned is supervised (below).
  std::optional<std::string> cluster_failed;
  if (core_->uses_kafka()) {
    if (client_only) {
      // A client calls workers; it is not one.
    } else if (auto cluster = internal::start_cluster(sys, core_, rt.web_url);
               cluster) {
      rt.cluster = std::move(*cluster);
      core_->runtime->cluster = rt.cluster->member;
      core_->runtime->gateway = rt.cluster->gateway;
      adopt(rt.cluster->member, "cluster member", nullptr);
      adopt(rt.cluster->gateway, "cluster gateway", nullptr);
    } else {
      cluster_failed = cluster.error().message;
    }
    internal::router_locals locals;
    if (rt.cluster)
      locals = {caf::actor_cast<internal::gateway_api>(rt.cluster->gateway),
                rt.cluster->who.incarnation, core_->runtime->table_manager,
                rt.cluster->member};
    core_->runtime->router =
        internal::spawn_router(sys, core_, std::move(locals));
    adopt(core_->runtime->router, "cluster router", nullptr);
    internal::rebalance_locals informed;
    informed.tables = core_->runtime->table_manager;
    if (rt.cluster) {
      informed.gateway = rt.cluster->gateway;
      informed.member = rt.cluster->member;
    }
    core_->runtime->rebalance =
        internal::spawn_rebalance_coordinator(sys, core_, std::move(informed));
    adopt(core_->runtime->rebalance, "rebalance coordinator", nullptr);
  }
  auto subscribe = [this](const std::string& topic,
                          const internal::subscriber_api& who) {
    bool channel = internal::app_core::is_channel_name(topic);
    caf::anon_send(channel ? core_->runtime->channel_consumer
                           : core_->runtime->consumer,
                   internal::subscribe_atom::value, topic, who);
    // Kafka's rebalances reach the subscribers through the coordinator.
    if (!channel && core_->runtime->rebalance)
      caf::anon_send(core_->runtime->rebalance, internal::subscribe_atom::value,
                     topic, who);
  };
  subscribe(core_->reply_topic, core_->runtime->replies);

  std::vector<supervision::child_spec> agent_supervisors;
  // How long a supervisor waits for the children it stops (an agent
  // instance finishing its event, a timer its run).
  auto children_stop = core_->settings().shutdown_timeout;
  // Agents that take direct calls: those reading the topic callers send to
  // (a group_by agent reads a repartition topic: its calls go through its
  // source topic and forwarder).
  internal::agent_routes routes;
  for (auto& e : entities_) {
    if (client_only)
      break;
    size_t slots = e.isolated_input
                       ? static_cast<size_t>(e.isolated_input->partitions)
                       : e.info.concurrency;
    auto dispatcher = internal::spawn_dispatcher(
        sys, {e.info.name, e.isolated_input != nullptr, slots});
    // Its queue holds batches the consumer counts as in flight.
    adopt(dispatcher, "dispatcher of agent '" + e.info.name + "'", nullptr);
    for (auto& topic : e.inputs)
      subscribe(topic, dispatcher);
    if (!e.internal && !e.info.topics.empty() && !e.inputs.empty() &&
        e.inputs.front() == e.info.topics.front() &&
        !internal::app_core::is_channel_name(e.inputs.front()))
      routes[e.info.name] = {dispatcher, e.inputs.front(),
                             core_->partitions_of(e.inputs.front())};
    supervision::supervisor_options sup;
    sup.name = "agent:" + e.info.name;
    sup.how = *supervision::strategy_from_name(default_strategy(e.strategy));
    sup.limits = e.limits;
    sup.stop_timeout = children_stop;
    for (size_t i = 0; i < slots; ++i) {
      auto name = e.info.name + "#" + std::to_string(i);
      sup.children.push_back(
          {name, [cfg = internal::instance_config{e.info.name, i, dispatcher,
                                                  core_, e.make_processor,
                                                  e.info.concurrency == 1},
                  roster, name](caf::actor_system& s) {
             auto instance =
                 caf::actor_cast<caf::actor>(internal::spawn_instance(s, cfg));
             roster->add(instance, "agent instance " + name);
             return instance;
           }});
    }
    agent_supervisors.push_back(supervision::supervisor_child(std::move(sup)));
  }
  if (rt.cluster)
    caf::anon_send(rt.cluster->gateway, internal::routes_atom::value,
                   std::move(routes));
  supervision::supervisor_options timers_sup{
      "timers", supervision::strategy::one_for_one, {}, {}, children_stop};
  for (auto& t : timers_)
    if (!client_only)
      timers_sup.children.push_back({t.name, [t, roster](caf::actor_system& s) {
                                       auto timer = internal::spawn_timer(s, t);
                                       roster->add(timer, t.name);
                                       return timer;
                                     }});
  agent_supervisors.push_back(
      supervision::supervisor_child(std::move(timers_sup)));
  // The runtime's actors: a crash of one that cannot be restarted escalates
  // to the root, which stops the worker with exit code 1.
  agent_supervisors.insert(
      agent_supervisors.begin(),
      supervision::supervisor_child({"runtime",
                                     supervision::strategy::one_for_one,
                                     {},
                                     std::move(runtime_children),
                                     children_stop}));

  // An agent supervisor that gives up takes the worker down, as Faust's
  // supervisors raise SystemExit: the crashing strategy at the root.
  // The root waits longer than the supervisors under it, so that a stuck
  // actor is named by its own supervisor, not its supervisor by the root.
  rt.root = supervision::spawn_supervisor(
      sys, {"worker:" + id(),
            supervision::strategy::crashing,
            {},
            std::move(agent_supervisors),
            children_stop + std::chrono::seconds{1}});
  rt.root->attach_functor([rtp](const caf::error& reason) {
    if (reason && reason != caf::exit_reason::user_shutdown) {
      faust::log().critical("worker stops: {}", supervision::describe(reason));
      std::lock_guard lock(rtp->mtx);
      rtp->crashed = true;
      rtp->cv.notify_all();
    }
  });
  if (cluster_failed) {
    core_->running = true; // so that stop() stops what was started
    stop();
    throw std::runtime_error("app '" + id() + "': " + *cluster_failed);
  }
  // In-process apps own every partition from the start: their tables are
  // recovered before any event is processed (Kafka apps recover as the
  // group assigns partitions).
  if (!core_->uses_kafka() && core_->runtime->table_manager) {
    internal::assignment all;
    for (auto& topic : sources)
      for (int32_t p = 0; p < core_->partitions_of(topic); ++p)
        all.partitions.push_back({topic, p});
    bool recovered = false;
    std::string why = "no answer";
    caf::scoped_actor self{sys};
    self->request(core_->runtime->table_manager,
                  core_->settings().broker_request_timeout * 6,
                  internal::recover_atom::value, std::move(all))
        .receive([&](bool ok) { recovered = ok; },
                 [&](caf::error& err) { why = supervision::describe(err); });
    if (!recovered) {
      core_->running = true; // so that stop() stops what was started
      stop();
      throw std::runtime_error("app '" + id() + "': table recovery failed (" +
                               why + ")");
    }
  }
  for (auto& consumer : consumers_of(*core_))
    caf::anon_send(consumer, internal::start_atom::value);
  core_->running = true;
  // The function is a spawn argument, not a capture: CAF 0.17.6 binds a
  // null argument tuple for actors spawned without arguments.
  for (auto& fn : tasks_)
    if (!client_only)
      sys.spawn(
          [](caf::event_based_actor* self, const std::function<void()>& task) {
            try {
              task();
            } catch (const std::exception& e) {
              faust::log().error("task failed: {}", e.what());
            }
            self->quit();
          },
          fn);
  faust::log().info("app '{}' started: {} agents, {} timers", id(),
                    entities_.size(), timers_.size());
  web_unconfirmed = false; // started: `stop` stops it
  if (rt.web) {
    auto actors = std::make_shared<internal::view_actors>();
    actors->system = rt.sys.get();
    actors->member = core_->runtime->cluster;
    actors->router = core_->runtime->router;
    rt.view_actors->publish(std::move(actors));
  }
}

void app::stop() {
  user_thread_scope leaving_caf;
  if (!core_->running.load())
    return;
  auto& rt = *rt_;
  auto& stop = core_->stop;
  using clock = std::chrono::steady_clock;
  auto timeout = core_->settings().shutdown_timeout;
  auto deadline = clock::now() + timeout;
  // From here every wait on the broker is cut to the time left.
  stop.begin(deadline);
  rt.view_actors->withdraw();
  if (rt.web) {
    rt.web->stop();
    rt.web.reset();
  }
  rt.web_url.clear();
  if (core_->producer)
    core_->producer->stop_waiting();
  rt.stop_step = "waiting for agents to finish the events they hold";
  {
    // After a fatal crash some events will never be acked: commit what was,
    // without waiting for the rest.
    bool skip_drain = crashed() || !core_->settings().stream_wait_empty;
    caf::scoped_actor self{*rt.sys};
    auto last_commit = [&](const caf::actor& consumer,
                           std::chrono::milliseconds bound) {
      self->request(consumer, bound, internal::commit_atom::value)
          .receive([](bool) {},
                   [&](caf::error& err) {
                     stop.step_failed("the last commit did not happen (" +
                                      supervision::describe(err) + ")");
                   });
    };
    for (auto& consumer : consumers_of(*core_)) {
      if (skip_drain) {
        last_commit(consumer, stop.bound(timeout));
        continue;
      }
      bool drained = false;
      self->request(consumer, stop.bound(timeout), internal::drain_atom::value)
          .receive([&](bool) { drained = true; },
                   [&](caf::error& err) {
                     stop.step_failed("agents did not finish the events they "
                                      "hold, or their offsets were not "
                                      "committed (" +
                                      supervision::describe(err) + ")");
                   });
      // Out of time: what the agents did finish is still committed, within
      // the stop's last-resort margin (the consumer's own waits are cut to
      // the stop's deadline, so it moves by that margin), and less is
      // processed again.
      if (!drained) {
        auto margin = std::min<std::chrono::milliseconds>(
            std::chrono::seconds{1}, core_->settings().broker_request_timeout);
        stop.begin(clock::now() + margin);
        last_commit(consumer, margin);
      }
    }
  }
  faust::log().debug("app '{}': drained", id());
  if (core_->runtime->table_manager) {
    // Every table partition is handed over by its actor: what was written
    // goes to the stores with the changelog offset it reaches, so a
    // restart replays nothing.
    rt.stop_step = "handing table partitions over";
    caf::scoped_actor self{*rt.sys};
    self->request(core_->runtime->table_manager, stop.bound(timeout),
                  internal::release_all_atom::value)
        .receive(
            [&](bool ok) {
              if (!ok)
                stop.step_failed("table partitions were not all handed "
                                 "over");
            },
            [&](caf::error& err) {
              stop.step_failed("table partitions were not all handed "
                               "over (" +
                               supervision::describe(err) + ")");
            });
  }
  core_->running = false;
  rt.stop_step = "stopping the actors";
  if (rt.cluster)
    internal::close_endpoint(*rt.sys, *rt.cluster);
  caf::anon_send_exit(rt.root, caf::exit_reason::user_shutdown);
  for (auto& a : rt.runtime_actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  rt.runtime_actors.clear();
  rt.named_runtime_actors.clear();
  // CAF has no bounded wait for its actors: poll its count. An actor stuck
  // in user code or a broker call must not hold the worker forever.
  auto actors_deadline = deadline + std::chrono::seconds{2};
  while (rt.sys->registry().running() > 0 && clock::now() < actors_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  bool actors_done = rt.sys->registry().running() == 0;
  if (!actors_done) {
    std::string names;
    for (auto& n : rt.roster->alive())
      names += (names.empty() ? "" : ", ") + n;
    stop.step_failed(
        "actors still running after " + std::to_string(timeout.count()) +
        " ms: " + (names.empty() ? std::string("(unnamed)") : names));
  }
  faust::log().debug("app '{}': actors done", id());
  // The consumer has ended: nothing sets it again.
  core_->leader = false;
  if (rt.cluster && actors_done) {
    // Not a step that can fail the stop: without the tombstone the other
    // processes drop this worker from their view at the next rebalance. It
    // gets its own short budget (a slow drain may have used the stop's).
    // Skipped if the member actor may still be running: an announcement
    // after the tombstone would bring the worker back.
    rt.stop_step = "leaving the cluster";
    if (auto left = internal::leave_cluster(*rt.cluster, core_->app_id,
                                            std::chrono::seconds{2});
        !left)
      faust::log().warn("{} (other processes drop this worker from their "
                        "view when the group has rebalanced)",
                        left.error().message);
  }
  rt.cluster.reset();
  rt.stop_step = "delivering what was produced";
  if (core_->producer)
    if (auto flushed = core_->producer->flush(stop.bound(timeout)); !flushed)
      stop.step_failed(flushed.error().message);
  core_->runtime->consumer = nullptr;
  core_->runtime->channel_consumer = nullptr;
  core_->runtime->replies = nullptr;
  core_->runtime->table_manager = nullptr;
  core_->runtime->cluster = nullptr;
  core_->runtime->gateway = nullptr;
  core_->runtime->router = nullptr;
  core_->runtime->rebalance = nullptr;
  rt.root = nullptr;
  core_->runtime->system = nullptr;
  rt.stop_step = "destroying the actor system";
  if (actors_done) {
    // CAF's destructor also waits for every detached actor's thread, which
    // ends once no handle to its actor is left (none is, by now; a worker's
    // last resort is the watchdog in `run`).
    rt.sys.reset();
    rt.cfg.reset();
  } else {
    // Destroying it would wait for the stuck actors: leave it (and what its
    // actors may still touch) to the end of the process.
    (void)rt.sys.release();
    (void)rt.cfg.release();
    (void)rt_.release();
    rt_ = std::make_unique<runtime>();
  }
  auto failed = stop.failed_steps();
  if (failed.empty()) {
    faust::log().info("app '{}' stopped", id());
  } else {
    std::string why;
    for (auto& f : failed)
      why += (why.empty() ? "" : "; ") + f;
    faust::log().warn("app '{}' stopped, but not cleanly: {} (what was not "
                      "committed is processed again after a restart)",
                      id(), why);
  }
}

bool app::wait_until_idle(std::chrono::milliseconds timeout) {
  user_thread_scope leaving_caf;
  if (!core_->running.load())
    return false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Records this app sent before the call count as input still to read.
  if (core_->producer)
    if (auto flushed = core_->producer->flush(timeout); !flushed)
      return false;
  caf::scoped_actor self{*rt_->sys};
  for (auto& consumer : consumers_of(*core_)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    bool idle = false;
    self->request(consumer, std::max(left, std::chrono::milliseconds{1}),
                  internal::idle_atom::value)
        .receive([&](bool) { idle = true; }, [](caf::error&) {});
    if (!idle)
      return false;
  }
  // What the agents wrote to tables is readable once its changelog records
  // are delivered and the batches are in the stores.
  auto& pending = core_->stats.table_batches_pending;
  return core_->persisted.wait_until(deadline,
                                     [&] { return pending.load() <= 0; });
}

bool app::wait_until_crashed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(rt_->mtx);
  return rt_->cv.wait_for(lock, timeout, [this] { return rt_->crashed; });
}

int app::run() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // Blocked before start so every runtime thread inherits the mask and the
  // signal waiter below is the only thread that takes them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto* rtp = rt_.get();
  {
    std::lock_guard lock(rtp->mtx);
    rtp->stop_requested = false;
  }
  // Started first, so a signal also ends a start that waits for the broker.
  std::thread waiter([rtp, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::lock_guard lock(rtp->mtx);
    rtp->stop_requested = true;
    rtp->cv.notify_all();
  });
  auto release_waiter = [&] {
    bool signalled = false;
    {
      std::lock_guard lock(rtp->mtx);
      signalled = rtp->stop_requested;
    }
    if (!signalled)
      pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
  };
  try {
    start();
  } catch (const std::exception& e) {
    bool signalled = false;
    {
      std::lock_guard lock(rtp->mtx);
      signalled = rtp->stop_requested;
    }
    release_waiter();
    if (signalled) {
      faust::log().info("app '{}': stopped on signal before it started", id());
      return 0;
    }
    faust::log().critical("{}", e.what());
    return 1;
  }
  bool failed = false;
  {
    std::unique_lock lock(rtp->mtx);
    rtp->cv.wait(lock, [rtp] { return rtp->crashed || rtp->stop_requested; });
    failed = rtp->crashed;
  }
  release_waiter();
  faust::log().info("app '{}': {}", id(),
                    failed ? "shutting down after a fatal error"
                           : "shutting down on signal");
  // The last resort: every step of the stop is bounded, but user code or a
  // library can still hang; past shutdown_timeout plus a margin the process
  // says what is stuck and exits.
  auto limit = core_->settings().shutdown_timeout + std::chrono::seconds{4};
  std::thread watchdog([rtp, limit, name = id()] {
    std::unique_lock lock(rtp->mtx);
    if (rtp->cv.wait_for(lock, limit, [rtp] { return rtp->stop_done; }))
      return;
    std::string alive;
    if (rtp->roster)
      for (auto& n : rtp->roster->alive())
        alive += (alive.empty() ? "" : ", ") + n;
    faust::log().critical(
        "app '{}': stopping took over {} ms, stuck {}; still running: {}; "
        "exiting with code 3 (what was not committed is processed again)",
        name,
        std::chrono::duration_cast<std::chrono::milliseconds>(limit).count(),
        rtp->stop_step.load(), alive.empty() ? "-" : alive);
    faust::log().flush();
    std::_Exit(3);
  });
  stop();
  {
    // `rtp` stays valid: a stop that leaves stuck actors behind leaks it.
    std::lock_guard lock(rtp->mtx);
    rtp->stop_done = true;
    rtp->cv.notify_all();
  }
  watchdog.join();
  if (failed)
    return 1;
  return core_->stop.failed_steps().empty() ? 0 : 3;
}

internal::app_core& internal::app_inspector::core(app& a) {
  return *a.core_;
}

std::vector<std::pair<std::string, caf::actor>>
internal::app_inspector::runtime_actors(app& a) {
  return a.rt_->named_runtime_actors;
}

void internal::app_inspector::set_wall_clock(
    app& a, std::function<std::chrono::system_clock::time_point()> clock) {
  a.require_not_started("wall clock");
  a.core_->wall_clock = std::move(clock);
}

internal::processor_factory
internal::app_inspector::processor_of(app& a, const std::string& name) {
  for (auto& e : a.entities_)
    if (e.info.name == name)
      return e.make_processor;
  return {};
}

std::vector<uint64_t> internal::app_inspector::runtime_restarts(app& a) {
  user_thread_scope leaving_caf;
  std::vector<uint64_t> out;
  if (!a.rt_->root)
    return out;
  caf::scoped_actor self{*a.rt_->sys};
  caf::actor runtime;
  self->request(a.rt_->root, std::chrono::seconds{10},
                supervision::get_children_atom::value)
      .receive(
          [&](const supervision::child_list& kids) {
            if (!kids.actors.empty())
              runtime = kids.actors.front();
          },
          [](caf::error&) {});
  if (!runtime)
    return out;
  self->request(runtime, std::chrono::seconds{10},
                supervision::get_restarts_atom::value)
      .receive([&](std::vector<uint64_t>& r) { out = std::move(r); },
               [](caf::error&) {});
  return out;
}

std::vector<caf::actor>
internal::app_inspector::table_partition_actors(app& a) {
  user_thread_scope leaving_caf;
  std::vector<caf::actor> out;
  if (!a.core_->runtime->table_manager || !a.rt_->sys)
    return out;
  caf::scoped_actor self{*a.rt_->sys};
  self->request(a.core_->runtime->table_manager, std::chrono::seconds{10},
                internal::parts_atom::value)
      .receive(
          [&](std::vector<internal::table_partition_api>& parts) {
            for (auto& part : parts)
              out.push_back(caf::actor_cast<caf::actor>(part));
          },
          [](caf::error&) {});
  return out;
}

} // namespace faust
