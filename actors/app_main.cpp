#include "actors/internal/app_core.hpp"
#include "actors/internal/cli_values.hpp"
#include "faust/app.hpp"
#include "storage/rocksdb_store.hpp"
#include "supervision/logger.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/producer.hpp"
#include "transport/kafka/topic_admin.hpp"
#include "transport/kafka/transaction_manager.hpp"
#include "transport/memory_broker.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <tuple>

namespace faust {

namespace {

using json = nlohmann::ordered_json;

/// The model called `name`: its full name, or its last dotted part.
models::model_registry::const_iterator
find_model(const models::model_registry& models, const std::string& name) {
  auto it = models.find(name);
  if (it == models.end())
    for (auto i = models.begin(); i != models.end(); ++i)
      if (auto dot = i->first.rfind('.');
          dot != std::string::npos && i->first.substr(dot + 1) == name)
        it = i;
  return it;
}

/// A string as Python's `json.dumps` writes it (non-ASCII as `\\uXXXX`).
std::string python_json_string(const std::string& text) {
  return json(text).dump(-1, ' ', /*ensure_ascii=*/true,
                         json::error_handler_t::replace);
}

/// Prints rows as Faust's list commands do: a title, then tab-separated
/// columns (Faust draws a box around them; the words are the same), or with
/// `--json` a list of objects, byte for byte as Faust's `json.dumps(...)`
/// writes it (`", "` and `": "` separators, ASCII escapes).
/// True if `cell` is an integer's digits.
bool is_integer(const std::string& cell) {
  auto digits = std::string_view(cell).substr(
      !cell.empty() && cell.front() == '-' ? 1 : 0);
  return !digits.empty() && std::ranges::all_of(digits, [](char c) {
    return c >= '0' && c <= '9';
  });
}

/// Prints a command's table (Faust's columns), or with `as_json` what
/// Faust's `json.dumps` prints; the columns flagged in `numbers` are JSON
/// numbers where the cell is one.
void print_table(const std::string& title,
                 const std::vector<std::string>& columns,
                 const std::vector<std::vector<std::string>>& rows,
                 bool as_json, const std::vector<bool>& numbers = {}) {
  if (as_json) {
    std::string out = "[";
    for (size_t r = 0; r < rows.size(); ++r) {
      out += r ? ", {" : "{";
      for (size_t i = 0; i < columns.size(); ++i) {
        bool number =
            i < numbers.size() && numbers[i] && is_integer(rows[r][i]);
        out += (i ? ", " : "") + python_json_string(columns[i]) + ": " +
               (number ? rows[r][i] : python_json_string(rows[r][i]));
      }
      out += "}";
    }
    std::cout << out << "]\n";
    return;
  }
  std::cout << title << "\n";
  for (size_t i = 0; i < columns.size(); ++i)
    std::cout << (i ? "\t" : "") << columns[i];
  std::cout << "\n";
  for (auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i)
      std::cout << (i ? "\t" : "") << row[i];
    std::cout << "\n";
  }
}

/// Faust's help column: the help text, or `<N/A>` when there is none.
std::string help_or_na(const std::string& help) {
  return help.empty() ? "<N/A>" : help;
}

} // namespace

int app::main(int argc, char** argv) {
  if (auto& bad = core_->environment_error()) {
    std::cerr << *bad << "\n";
    return 2;
  }
  CLI::App cli{"faust-cpp app '" + id() + "'"};
  cli.require_subcommand(1);
  auto& s = core_->configure();
  std::string loglevel = environment_setting("LOGLEVEL").value_or("info");
  bool as_json = false;
  bool quiet = false, debug = false, no_color = false;
  std::string logfile;

  // Faust's global options, before the subcommand; a subcommand passes
  // what it does not know up to them, so they are accepted after it too
  // (except where the subcommand has its own meaning for the short form:
  // `worker -b` is --web-bind, as in Faust).
  cli.fallthrough();
  cli.set_version_flag("--version", std::string("faust-cpp ") +
                                        FAUST_CPP_VERSION + ", app '" + id() +
                                        "'");
  cli.add_option("-l,--loglevel", loglevel,
                 "Logging level: crit, error, warn, info, debug (env "
                 "FAUST_LOGLEVEL)")
      ->capture_default_str();
  cli.add_option("-b,--broker", s.broker,
                 "kafka://host:port[;host:port], embedded:// or memory:// "
                 "(env FAUST_BROKER)")
      ->capture_default_str();
  cli.add_option("-D,--datadir", s.datadir,
                 "Directory for worker data (env FAUST_DATADIR)")
      ->capture_default_str();
  cli.add_flag("--json", as_json, "Print JSON");
  cli.add_flag("-q,--quiet", quiet, "Log errors only");
  cli.add_flag("--debug", debug, "Log at debug level");
  cli.add_flag("--no-color", no_color, "No colours in the log");

  // Kept on the subcommands (their help lists them): the same variables.
  auto add_loglevel = [&](CLI::App* cmd) {
    cmd->add_option("-l,--loglevel", loglevel,
                    "Logging level: crit, error, warn, info, debug (env "
                    "FAUST_LOGLEVEL)");
  };
  auto add_broker = [&](CLI::App* cmd) {
    cmd->add_option("-b,--broker", s.broker,
                    "kafka://host:port[;host:port], embedded:// or memory:// "
                    "(env FAUST_BROKER)");
  };
  auto add_json = [&](CLI::App* cmd) {
    cmd->add_flag("--json", as_json, "Print JSON");
  };

  auto worker = cli.add_subcommand("worker", "Start a worker");
  // Faust's worker: -h is --web-host; --help stays.
  worker->set_help_flag("--help", "Print this help message and exit");
  add_loglevel(worker);
  worker->add_option("-f,--logfile", logfile,
                     "Write the log to this file (default: stderr)");
  worker->add_option("--broker", s.broker,
                     "kafka://host:port[;host:port], embedded:// or "
                     "memory:// (env FAUST_BROKER)");
  worker->add_option("-D,--datadir", s.datadir,
                     "Directory for worker data (env FAUST_DATADIR)");
  worker
      ->add_option("--store", s.store,
                   "Table store: rocksdb:// (default for workers) or "
                   "memory:// (env FAUST_STORE)")
      ->check(CLI::IsMember({"", "rocksdb://", "memory://"}));
  worker
      ->add_option("--processing-guarantee", s.processing_guarantee,
                   "at_least_once or exactly_once (env "
                   "FAUST_PROCESSING_GUARANTEE)")
      ->capture_default_str()
      ->check(CLI::IsMember({"at_least_once", "exactly_once"}));
  worker
      ->add_option("-p,--web-port", s.web_port,
                   "Web server port, 0: any free port (env FAUST_WEB_PORT)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  worker
      ->add_option("-b,--web-bind", s.web_bind,
                   "Address the web server listens on (env FAUST_WEB_BIND)")
      ->capture_default_str();
  worker->add_option("-h,--web-host", s.web_host,
                     "Host name in the worker's URL (env FAUST_WEB_HOST)");
  worker->add_flag_callback(
      "--without-web", [&s] { s.web_enabled = false; },
      "Run no web server (env FAUST_WEB_ENABLED=0)");
  worker
      ->add_option("--cluster-port", s.cluster_port,
                   "Port of this worker's cluster endpoint, 0: any free "
                   "port (env FAUST_CLUSTER_PORT)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  worker->add_option("--cluster-host", s.cluster_host,
                     "Address the cluster endpoint binds and announces "
                     "(default 127.0.0.1; env FAUST_CLUSTER_HOST)");
  worker->add_option("--worker-id", s.worker_id,
                     "This worker's name in the cluster (default "
                     "<hostname>:<pid>; env FAUST_WORKER_ID)");

  std::string entity;
  std::optional<std::string> value;
  std::optional<std::string> key;
  std::optional<int32_t> partition;
  int repeat = 1;
  auto send = cli.add_subcommand("send", "Send a message to an agent or topic");
  add_loglevel(send);
  add_broker(send);
  send->add_option("entity", entity, "Topic name, or @agent")->required();
  send->add_option("value", value, "The value (JSON for JSON topics)");
  send->add_option("-k,--key", key, "The key");
  send->add_option("--partition", partition, "Send to this partition");
  send->add_option("-r,--repeat", repeat, "Send the message n times")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  send_encoding encoding;
  send->add_option("-K,--key-type", encoding.key_type,
                   "Name of the model to write the key as");
  send->add_option("-V,--value-type", encoding.value_type,
                   "Name of the model to write the value as");
  send->add_option("--key-serializer", encoding.key_serializer,
                   "Serializer for the key (default: the topic's)");
  send->add_option("--value-serializer", encoding.value_serializer,
                   "Serializer for the value (default: the topic's)");

  std::string ask_value;
  double ask_timeout = 30;
  std::string ask_via = "auto";
  auto ask = cli.add_subcommand(
      "ask", "Ask an agent and print its reply (as a client_only process: "
             "directly over the cluster to the worker owning the key, else "
             "through the agent's topic)");
  add_loglevel(ask);
  add_broker(ask);
  add_json(ask);
  ask->add_option("entity", entity, "@agent")->required();
  ask->add_option("value", ask_value, "The value (JSON for JSON topics)")
      ->required();
  ask->add_option("-k,--key", key, "The key (routes the call)");
  ask->add_option("--partition", partition, "Ask the owner of this partition");
  ask->add_option("--timeout", ask_timeout, "Seconds to wait for the reply")
      ->capture_default_str();
  ask->add_option("--via", ask_via,
                  "caf: directly only; kafka: through the topics only; auto: "
                  "directly when an owner is known, else through the topics")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "caf", "kafka"}));

  auto agents_cmd = cli.add_subcommand("agents", "List agents");
  add_json(agents_cmd);
  auto models_cmd = cli.add_subcommand("models", "List models");
  add_json(models_cmd);
  std::string model_name;
  auto model_cmd = cli.add_subcommand("model", "Show the fields of a model");
  add_json(model_cmd);
  model_cmd->add_option("name", model_name, "Model name")->required();
  auto tables_cmd = cli.add_subcommand(
      "tables", "List tables: partitions, store, and the keys this worker's "
                "datadir holds");
  add_json(tables_cmd);
  tables_cmd->add_option("-D,--datadir", s.datadir,
                         "Directory for worker data (env FAUST_DATADIR)");
  std::string dump_table;
  tables_cmd->add_option("--dump", dump_table,
                         "Print every key and value of this table in the "
                         "datadir (as JSON lines; the worker must be stopped)");
  auto cluster_cmd = cli.add_subcommand(
      "cluster", "Show the cluster: workers, their endpoints, the partitions "
                 "each owns and stands by for");
  add_json(cluster_cmd);
  add_broker(cluster_cmd);
  add_loglevel(cluster_cmd);
  auto reset_cmd =
      cli.add_subcommand("reset", "Delete local table state (the datadir)");
  add_loglevel(reset_cmd);
  reset_cmd->add_option("-D,--datadir", s.datadir,
                        "Directory for worker data (env FAUST_DATADIR)");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print and succeed; any other parse error is a
    // usage error: one line and exit code 2, as Faust's click (CLI11's own
    // codes are 100 and up).
    if (e.get_exit_code() == 0)
      return cli.exit(e);
    std::cerr << "Error: " << e.what() << " (see --help)\n";
    return 2;
  }
  if (debug)
    loglevel = "debug";
  if (quiet)
    loglevel = "error";
  if (!set_log_level(loglevel)) {
    std::cerr << "Error: unknown log level '" << loglevel
              << "' (crit, error, warn, info, debug)\n";
    return 2;
  }
  if (no_color)
    set_log_colors(false);
  if (!logfile.empty())
    if (auto bad = log_to_file(logfile)) {
      std::cerr << "Error: " << *bad << "\n";
      return 2;
    }
  try {
    validate(s);
  } catch (const std::invalid_argument& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }

  if (*worker) {
    if (s.store.empty())
      s.store = "rocksdb://";
    faust::log().info("worker: app '{}', broker {}, {}, datadir {}", id(),
                      s.broker, s.processing_guarantee, s.data_directory());
    return run();
  }
  if (*send)
    return send_from_command_line(entity, value, key, partition, repeat,
                                  encoding);
  if (*ask)
    return ask_command(entity, ask_value, key, partition, ask_timeout, ask_via,
                       as_json);
  if (*agents_cmd) {
    std::vector<std::vector<std::string>> rows;
    for (auto& a : agents()) {
      std::string topics;
      for (size_t i = 0; i < a.topics.size(); ++i)
        topics += (i ? "," : "") + a.topics[i];
      rows.push_back({"@" + a.name, topics, help_or_na(a.help)});
    }
    std::ranges::sort(rows); // Faust sorts by name
    print_table("Agents", {"name", "topic", "help"}, rows, as_json);
    return 0;
  }
  if (*models_cmd) {
    std::vector<std::vector<std::string>> rows;
    for (auto& [name, info] : core_->models)
      rows.push_back({name, help_or_na("")});
    print_table("Models", {"name", "help"}, rows, as_json);
    return 0;
  }
  if (*model_cmd) {
    auto it = find_model(core_->models, model_name);
    if (it == core_->models.end()) {
      std::cerr << "No model named '" << model_name
                << "' (see the models command)\n";
      return 2;
    }
    std::vector<std::vector<std::string>> rows;
    for (auto& f : it->second.fields)
      rows.push_back({f.name, f.type, f.required ? "*" : ""});
    print_table(it->first, {"field", "type", "default*"}, rows, as_json);
    return 0;
  }
  if (*tables_cmd)
    return tables_command(dump_table, as_json);
  if (*cluster_cmd)
    return cluster_command(as_json);
  if (*reset_cmd) {
    std::filesystem::path dir = s.data_directory();
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
      std::cout << "nothing to reset: " << dir.string() << " does not exist\n";
      return 0;
    }
    auto removed = std::filesystem::remove_all(dir, ec);
    if (ec) {
      std::cerr << "cannot remove " << dir.string() << ": " << ec.message()
                << "\n";
      return 1;
    }
    std::cout << "removed " << dir.string() << " (" << removed
              << " files and directories)\n";
    return 0;
  }
  return 0;
}

int app::tables_command(const std::string& dump, bool as_json) {
  const auto& s = core_->settings();
  auto store_of = [&](const table_info& t) {
    return !t.store.empty() ? t.store
                            : (s.store.empty() ? "rocksdb://" : s.store);
  };
  auto path_of = [&](const table_info& t, int32_t p) {
    return std::filesystem::path(s.data_directory()) /
           ("v" + std::to_string(s.version)) / "tables" /
           (t.name + "-" + std::to_string(p) + ".db");
  };
  /// Opens partition `p`'s store in the datadir, if it has one.
  auto open =
      [&](const table_info& t, int32_t p,
          std::string& why) -> std::unique_ptr<storage::partition_store> {
    auto path = path_of(t, p);
    std::error_code ec;
    if (store_of(t).rfind("rocksdb://", 0) != 0 ||
        !std::filesystem::exists(path, ec))
      return nullptr;
    auto opened = storage::rocksdb_store::open(path);
    if (!opened) {
      why = opened.error().message;
      return nullptr;
    }
    return std::move(*opened);
  };
  if (!dump.empty()) {
    for (auto& t : tables()) {
      if (t.name != dump)
        continue;
      for (int32_t p = 0; p < t.partitions; ++p) {
        std::string why;
        auto store = open(t, p, why);
        if (!why.empty()) {
          std::cerr << "table '" << t.name << "' partition " << p << ": " << why
                    << "\n";
          return 1;
        }
        if (!store)
          continue;
        store->for_each([&](std::string_view k, std::string_view v) {
          std::cout << "{\"partition\": " << p << ", \"key\": " << k
                    << ", \"value\": " << v << "}\n";
          return true;
        });
      }
      return 0;
    }
    std::cerr << "No table named '" << dump << "' (see the tables command)\n";
    return 2;
  }
  std::vector<std::vector<std::string>> rows;
  for (auto& t : tables()) {
    std::string size = "-";
    if (store_of(t).rfind("rocksdb://", 0) == 0) {
      uint64_t keys = 0;
      for (int32_t p = 0; p < t.partitions; ++p) {
        std::string why;
        if (auto store = open(t, p, why))
          keys += store->size();
        else if (!why.empty())
          size = "in use";
      }
      if (size == "-")
        size = std::to_string(keys);
    }
    rows.push_back({t.name, help_or_na(t.help), std::to_string(t.partitions),
                    store_of(t), size, t.changelog_topic});
  }
  std::ranges::sort(rows); // by name, as Faust
  // Faust's two columns first, then what a faust-cpp operator also wants.
  print_table("Tables",
              {"name", "help", "partitions", "store", "keys", "changelog"},
              rows, as_json, {false, false, true, false, true, false});
  return 0;
}

int app::send_from_command_line(const std::string& entity,
                                const std::optional<std::string>& value,
                                const std::optional<std::string>& key,
                                std::optional<int32_t> partition, int repeat,
                                const send_encoding& encoding) {
  if (!core_->uses_kafka()) {
    std::cerr << "send needs a Kafka broker: the app's broker is "
              << core_->settings().broker << " (use --broker kafka://...)\n";
    return 2;
  }
  std::string topic = entity;
  if (!entity.empty() && entity.front() == '@') {
    auto name = entity.substr(1);
    const entity_info* found = nullptr;
    for (auto& e : entities_)
      if (e.info.name == name)
        found = &e;
    if (!found || found->info.topics.empty()) {
      std::cerr << "No agent named '" << name << "' (see the agents command)\n";
      return 2;
    }
    topic = found->info.topics.front();
  }
  if (internal::app_core::is_channel_name(topic)) {
    std::cerr << entity
              << " reads an in-process channel; send works on topics\n";
    return 2;
  }
  // Declared topics use their codecs; others the app's defaults.
  auto key_spec = core_->codecs.parse(core_->settings().key_serializer);
  auto value_spec = core_->codecs.parse(core_->settings().value_serializer);
  for (auto& t : core_->topics)
    for (auto& n : t->names)
      if (n == topic && !t->is_channel) {
        key_spec = t->key_spec;
        value_spec = t->value_spec;
      }
  try {
    if (!encoding.key_serializer.empty())
      key_spec = core_->codecs.parse(encoding.key_serializer);
    if (!encoding.value_serializer.empty())
      value_spec = core_->codecs.parse(encoding.value_serializer);
  } catch (const std::invalid_argument& e) {
    std::cerr << "Error: " << e.what() << "\n";
    return 2;
  }
  // A model type: the JSON object becomes that model's record (Faust adds
  // its namespace, so the reader knows the type).
  std::string key_text = key.value_or(""), value_text = value.value_or("");
  for (auto [type, text, what] :
       {std::tuple{&encoding.key_type, &key_text, "key"},
        std::tuple{&encoding.value_type, &value_text, "value"}}) {
    if (type->empty())
      continue;
    auto found = find_model(core_->models, *type);
    if (found == core_->models.end()) {
      std::cerr << "Error: no model named '" << *type
                << "' (see the models command)\n";
      return 2;
    }
    const auto* model = &found->first;
    auto j = json::parse(*text, nullptr, false);
    if (!j.is_object()) {
      std::cerr << "Error: the " << what << " of a " << *model
                << " must be a JSON object, not: " << *text << "\n";
      return 2;
    }
    j["__faust"] = json{{"ns", *model}};
    *text = j.dump();
  }
  if (auto connected = core_->connect(); !connected) {
    std::cerr << connected.error().message << "\n";
    return 1;
  }
  // librdkafka's mock cluster reports a LogAppendTime of 1234 for every
  // record: print the create time we sent instead.
  if (auto admin = transport::kafka::topic_admin::connect(
          core_->bootstrap, core_->settings().producer_properties))
    if (auto listing =
            (*admin)->list_topics(core_->settings().broker_request_timeout);
        listing &&
        listing->count(transport::kafka::embedded_broker::admin_topic))
      core_->producer->ignore_append_time();
  models::message msg;
  msg.topic = topic;
  msg.partition = partition.value_or(-1);
  if (key)
    msg.key = internal::encode_cli_value(key_spec, key_text);
  if (value)
    msg.value = internal::encode_cli_value(value_spec, value_text);
  msg.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  for (int i = 0; i < repeat; ++i) {
    auto sent = core_->producer->send_and_wait(
        msg, core_->settings().broker_request_timeout * 6);
    if (!sent) {
      std::cerr << sent.error().message << "\n";
      return 1;
    }
    json out{{"topic", sent->topic},
             {"partition", sent->partition},
             {"topic_partition", json::array({sent->topic, sent->partition})},
             {"offset", sent->offset},
             {"timestamp", sent->timestamp_ms},
             {"timestamp_type", sent->log_append_time ? 1 : 0}};
    std::cout << out.dump() << "\n";
  }
  return 0;
}

} // namespace faust
