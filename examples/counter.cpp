// An agent that writes tables and answers: `count` adds one to an account's
// total per request and replies with the new total; table `counter-applied`
// records which request ids were applied (so a caller can tell, after a
// crash, which of its failed calls took effect). App id `counter`, topic
// `counter-requests` (JSON `{"account": str, "id": int}`, keyed by account).
//
//   build/bin/counter                        demo on an embedded broker
//   build/bin/counter worker --broker kafka://127.0.0.1:9092
//   build/bin/counter ask @count '{"account": "a", "id": 1}' --key a ...
//   build/bin/counter client --broker kafka://... --asks 100 [options]
//
// `client` is a client_only process that asks continuously and prints one
// line per ask: `ok ACCOUNT ID TOTAL MICROSECONDS` or `err ACCOUNT ID
// MICROSECONDS MESSAGE`. Options: --asks N (default 100), --accounts N (4),
// --first-id N (1), --via auto|caf|kafka (auto), --timeout-ms N (5000),
// --until-file F (ask until F exists instead of --asks times).
#include <faust/app.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

struct Deposit {
  std::string account;
  int64_t id = 0;
};
FAUST_RECORD_NS(Deposit, "examples.counter.Deposit", account, id);

namespace {

struct client_options {
  std::string broker = "embedded://";
  int64_t asks = 100;
  int64_t accounts = 4;
  int64_t first_id = 1;
  std::string via = "auto";
  int64_t timeout_ms = 5000;
  std::string until_file;
};

bool parse_client(int argc, char** argv, client_options& o) {
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "client: %s needs a value\n", a.c_str());
      return false;
    }
    std::string v = argv[++i];
    if (a == "--broker")
      o.broker = v;
    else if (a == "--asks")
      o.asks = std::atoll(v.c_str());
    else if (a == "--accounts")
      o.accounts = std::max<int64_t>(1, std::atoll(v.c_str()));
    else if (a == "--first-id")
      o.first_id = std::atoll(v.c_str());
    else if (a == "--via")
      o.via = v;
    else if (a == "--timeout-ms")
      o.timeout_ms = std::atoll(v.c_str());
    else if (a == "--until-file")
      o.until_file = v;
    else {
      std::fprintf(stderr, "client: unknown option %s\n", a.c_str());
      return false;
    }
  }
  if (o.via != "auto" && o.via != "caf" && o.via != "kafka") {
    std::fprintf(stderr, "client: --via is auto, caf or kafka\n");
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  bool client = argc > 1 && std::strcmp(argv[1], "client") == 0;
  client_options copts;
  if (client && !parse_client(argc, argv, copts))
    return 2;
  faust::app app{{.id = "counter",
                  .broker = client ? copts.broker : "embedded://",
                  .topic_partitions = 4,
                  .client_only = client}};
  auto requests = app.topic<std::string, Deposit>(
      "counter-requests", {.partitions = 4, .internal = true});
  auto totals = app.table<std::string, int64_t>(
      "counter-totals", 0, {.help = "Requests counted per account"});
  auto applied = app.table<std::string, int64_t>(
      "counter-applied", 0, {.help = "Request ids applied, as account/id"});
  auto count = app.agent(
      "count", requests,
      [totals, applied](faust::stream<std::string, Deposit>& deposits)
          -> faust::agent_task<int64_t> {
        while (auto d = co_await deposits.next()) {
          totals[d->account] += 1;
          applied[d->account + "/" + std::to_string(d->id)] = 1;
          co_yield totals.at(d->account);
        }
      },
      {.help = "Count a request; reply with the account's new total"});

  if (client) {
    app.start();
    auto via = copts.via == "caf"     ? faust::internal::call_path::cluster
               : copts.via == "kafka" ? faust::internal::call_path::kafka
                                      : faust::internal::call_path::automatic;
    for (int64_t n = 0;; ++n) {
      if (copts.until_file.empty() ? n >= copts.asks
                                   : std::filesystem::exists(copts.until_file))
        break;
      auto id = copts.first_id + n;
      auto account = "acct" + std::to_string(n % copts.accounts);
      auto began = std::chrono::steady_clock::now();
      auto total =
          count.ask(Deposit{account, id},
                    {.key = account,
                     .timeout = std::chrono::milliseconds{copts.timeout_ms},
                     .via = via});
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - began)
                    .count();
      if (total)
        std::printf("ok %s %lld %lld %lld\n", account.c_str(),
                    static_cast<long long>(id), static_cast<long long>(*total),
                    static_cast<long long>(us));
      else {
        std::printf("err %s %lld %lld %s\n", account.c_str(),
                    static_cast<long long>(id), static_cast<long long>(us),
                    total.error().message.c_str());
      }
      std::fflush(stdout);
    }
    app.stop();
    return 0;
  }

  if (argc > 1)
    return app.main(argc, argv);

  // Demo: asks over the cluster on an embedded broker.
  app.start();
  for (int64_t id = 1; id <= 6; ++id) {
    std::string account = id % 2 ? "ann" : "bob";
    auto total = count.ask(Deposit{account, id}, {.key = account});
    if (!total) {
      std::fprintf(stderr, "ask failed: %s\n", total.error().message.c_str());
      app.stop();
      return 1;
    }
    std::printf("%s: request %lld, total %lld\n", account.c_str(),
                static_cast<long long>(id), static_cast<long long>(*total));
  }
  app.stop();
  return 0;
}
