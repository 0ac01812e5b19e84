// The manual's "Hello World" (Quick Start): an agent that prints greetings.
//
//   build/bin/hello_world              sends two greetings in-process, prints
//   build/bin/hello_world worker       runs the worker until SIGINT/SIGTERM
#include <faust/app.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  faust::app app{
      {.id = "hello-world", .broker = "memory://", .value_serializer = "raw"}};
  auto greetings_topic = app.topic<std::string, std::string>("greetings");

  app.agent("greet", greetings_topic,
            [](faust::stream<std::string, std::string>& greetings)
                -> faust::agent_task<> {
              while (auto greeting = co_await greetings.next())
                std::printf("%s\n", greeting->c_str());
            });

  if (argc > 1)
    return app.main(argc, argv);

  app.start();
  (void)greetings_topic.send("Hello Faust");
  (void)greetings_topic.send("Hello Kafka topic");
  bool done = app.wait_until_idle(std::chrono::seconds{10});
  std::fflush(stdout);
  app.stop();
  return done ? 0 : 1;
}
