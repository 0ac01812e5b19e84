// The manual's leader timer (Quick Start, "Leader Timer"): a timer that runs
// only on the leader publishes random greetings to the agent `say`.
//
//   build/bin/leader_timer [--count N] [--interval-ms MS]
//                          prints N greetings in-process, then exits
//   build/bin/leader_timer worker       runs the worker (2 s interval)
#include <faust/app.hpp>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <future>
#include <random>
#include <string>

int main(int argc, char** argv) {
  bool demo = argc == 1 || std::strncmp(argv[1], "--", 2) == 0;
  int count = 3;
  int interval_ms = demo ? 200 : 2000;
  for (int i = 1; demo && i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--count") == 0)
      count = std::stoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--interval-ms") == 0)
      interval_ms = std::stoi(argv[i + 1]);
  }

  faust::app app{{.id = "hello-world", .broker = "memory://"}};
  std::promise<void> enough;
  std::atomic<int> said{0};
  auto say = app.agent<std::string>("say", [&](std::string& greeting) {
    std::printf("%s\n", greeting.c_str());
    std::fflush(stdout);
    if (++said == count)
      enough.set_value();
  });

  app.timer(std::chrono::milliseconds{interval_ms},
            [say] {
              std::printf("PUBLISHING ON LEADER!\n");
              // Now, not when the buffer fills or an agent here flushes:
              // the leader test counts these lines as they come.
              std::fflush(stdout);
              thread_local std::mt19937 rng{std::random_device{}()};
              auto greeting =
                  std::to_string(std::uniform_real_distribution<>(0, 1)(rng));
              if (auto sent = say.cast(greeting); !sent)
                throw std::runtime_error(sent.error().message);
            },
            {.on_leader = true, .name = "publish_greetings"});

  if (!demo)
    return app.main(argc, argv);

  app.start();
  auto ok = enough.get_future().wait_for(std::chrono::seconds{30}) ==
            std::future_status::ready;
  app.stop();
  return ok ? 0 : 1;
}
