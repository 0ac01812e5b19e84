// faust-broker: a standalone embedded Kafka-protocol broker (librdkafka's
// mock cluster) for several workers and other Kafka clients on one machine.
//
//   faust-broker [--brokers N] [--partitions P] [--topic NAME[:P]]...
//
// The first line on stdout is `bootstrap=<host:port,...>`. It serves until
// SIGINT or SIGTERM. Lines on stdin control it (for tests of broker
// outages): `down <id>`, `up <id>`, `rtt <id> <ms>` (delay every answer),
// `delay <id> <api_key> <count> <ms>` (answer the next `count` requests of
// one Kafka API correctly but late: 0 is Produce), `topic <name>
// <partitions>`; each is
// answered on stdout with `ok <line>` or `error <why>`.
#include "supervision/logger.hpp"
#include "transport/kafka/embedded_broker.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>
#include <pthread.h>
#include <sstream>
#include <thread>

namespace {

using faust::transport::kafka::embedded_broker;

std::string run_command(embedded_broker& broker, const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  if (verb == "down" || verb == "up") {
    int32_t id = 0;
    if (!(in >> id))
      return "error " + verb + " needs a broker id";
    auto done =
        verb == "down" ? broker.set_broker_down(id) : broker.set_broker_up(id);
    return done ? "ok " + line : "error " + done.error().message;
  }
  if (verb == "rtt") {
    int32_t id = 0;
    int64_t ms = 0;
    if (!(in >> id >> ms) || ms < 0)
      return "error usage: rtt <id> <milliseconds>";
    auto done = broker.set_broker_rtt(id, std::chrono::milliseconds{ms});
    return done ? "ok " + line : "error " + done.error().message;
  }
  if (verb == "delay") {
    int32_t id = 0;
    int16_t api_key = 0;
    int64_t count = 0;
    int64_t ms = 0;
    if (!(in >> id >> api_key >> count >> ms) || api_key < 0 || count <= 0 ||
        ms < 0)
      return "error usage: delay <id> <api_key> <count> <milliseconds>";
    auto done = broker.delay_requests(id, api_key, static_cast<size_t>(count),
                                      std::chrono::milliseconds{ms});
    return done ? "ok " + line : "error " + done.error().message;
  }
  if (verb == "topic") {
    std::string name;
    int32_t partitions = 0;
    if (!(in >> name >> partitions))
      return "error usage: topic <name> <partitions>";
    auto made = broker.create_topic(name, partitions);
    if (!made)
      return "error " + made.error().message;
    return *made ? "ok " + line : "error topic '" + name + "' exists already";
  }
  return "error unknown command '" + verb + "' (down, up, rtt, delay, topic)";
}

} // namespace

int main(int argc, char** argv) {
  CLI::App cli{"faust-broker: an embedded Kafka-protocol broker (librdkafka's "
               "mock cluster) for workers and Kafka clients on this machine"};
  embedded_broker::options opts;
  std::vector<std::string> topics;
  std::string loglevel = "warn";
  cli.add_option("--brokers", opts.brokers, "Number of brokers")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  cli.add_option("--partitions", opts.default_partitions,
                 "Partitions of topics created on request without a count "
                 "(topics auto-created by producing to them get 4)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cli.add_option("--topic", topics,
                 "Create a topic at start: NAME or NAME:PARTITIONS");
  cli.add_option("-l,--loglevel", loglevel, "Log level")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  if (!faust::set_log_level(loglevel)) {
    std::cerr << "faust-broker: unknown log level '" << loglevel << "'\n";
    return 2;
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto broker = embedded_broker::start(opts);
  if (!broker) {
    std::cerr << "faust-broker: " << broker.error().message << "\n";
    return 1;
  }
  for (auto& spec : topics) {
    auto colon = spec.rfind(':');
    std::string name = spec.substr(0, colon);
    int32_t partitions = opts.default_partitions;
    if (colon != std::string::npos) {
      try {
        partitions = std::stoi(spec.substr(colon + 1));
      } catch (const std::exception&) {
        std::cerr << "faust-broker: --topic " << spec
                  << ": partitions must be a number\n";
        return 2;
      }
    }
    auto made = (*broker)->create_topic(name, partitions);
    if (!made) {
      std::cerr << "faust-broker: " << made.error().message << "\n";
      return 1;
    }
  }
  std::cout << "bootstrap=" << (*broker)->bootstrap() << std::endl;

  // Commands on stdin; EOF just ends the reader.
  std::thread([b = broker->get()] {
    std::string line;
    while (std::getline(std::cin, line))
      if (!line.empty())
        std::cout << run_command(*b, line) << std::endl;
  }).detach();

  int sig = 0;
  sigwait(&signals, &sig);
  faust::log().info("faust-broker: stopping on signal {}", sig);
  std::cout.flush();
  // Skip the mock cluster's teardown: the process ends here anyway, and a
  // detached stdin reader may still hold the broker.
  std::_Exit(0);
}
