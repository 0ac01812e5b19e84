#include "actors/app.hpp"
#include "supervision/logger.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace faust {

int app::main(int argc, char** argv) {
  CLI::App cli{"faust-cpp app '" + id() + "'"};
  cli.require_subcommand(1);
  std::string loglevel = "info";

  auto worker = cli.add_subcommand("worker", "Start a worker");
  worker
      ->add_option("-l,--loglevel", loglevel,
                   "Logging level: debug, info, warn, error, critical")
      ->capture_default_str();

  bool as_json = false;
  auto agents_cmd = cli.add_subcommand("agents", "List agents");
  agents_cmd->add_flag("--json", as_json, "Print JSON");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (!set_log_level(loglevel)) {
    std::cerr << "unknown log level '" << loglevel << "'\n";
    return 2;
  }
  if (*worker)
    return run();
  if (*agents_cmd) {
    auto list = agents();
    if (as_json) {
      auto out = nlohmann::ordered_json::array();
      for (auto& a : list)
        out.push_back({{"name", a.name},
                       {"topic", a.topics.empty() ? "" : a.topics.front()},
                       {"help", a.help}});
      std::cout << out.dump() << "\n";
    } else {
      for (auto& a : list) {
        std::cout << "@" << a.name << "  ";
        for (size_t i = 0; i < a.topics.size(); ++i)
          std::cout << (i ? "," : "") << a.topics[i];
        std::cout << "  " << a.help << "\n";
      }
    }
    return 0;
  }
  return 0;
}

} // namespace faust
