// The adding agent on Kafka: app id `adding-example`, topic `adding` with
// JSON values `{"a": int, "b": int}`; the agent `adding` yields a + b to
// callers of `ask` and to the sink topic `adding-results` (JSON numbers).
//
//   build/bin/adding                          demo on an embedded broker
//   build/bin/adding worker --broker kafka://127.0.0.1:9092
//   build/bin/adding send @adding '{"a": 2, "b": 3}' --broker kafka://...
//
// Feed it from any Kafka client, e.g. with kcat:
//   echo '{"a": 2, "b": 3}' | kcat -b 127.0.0.1:9092 -P -t adding
//   kcat -b 127.0.0.1:9092 -C -t adding-results -o beginning
#include <faust/app.hpp>

#include <cstdint>
#include <cstdio>

struct Add {
  int64_t a = 0;
  int64_t b = 0;
};
FAUST_RECORD_NS(Add, "examples.adding.Add", a, b);

int main(int argc, char** argv) {
  faust::app app{{.id = "adding-example", .broker = "embedded://"}};
  // The app owns its input topic: it creates it with 4 partitions.
  auto adding_topic = app.topic<std::string, Add>(
      "adding", {.partitions = 4, .internal = true});
  auto results = app.topic<std::string, int64_t>(
      "adding-results", {.partitions = 4, .internal = true});

  auto adding = app.agent("adding", adding_topic,
                          [](faust::stream<std::string, Add>& stream)
                              -> faust::agent_task<int64_t> {
                            while (auto value = co_await stream.next())
                              co_yield value->a + value->b;
                          });
  adding.add_sink(results);

  if (argc > 1)
    return app.main(argc, argv);

  // Demo: ask the agent through Kafka topics on an embedded broker.
  app.start();
  for (auto [a, b] : {std::pair<int64_t, int64_t>{2, 3}, {40, 2}, {-7, 7}}) {
    auto sum = adding.ask(Add{a, b});
    if (!sum) {
      std::fprintf(stderr, "ask failed: %s\n", sum.error().message.c_str());
      app.stop();
      return 1;
    }
    std::printf("%lld + %lld = %lld\n", static_cast<long long>(a),
                static_cast<long long>(b), static_cast<long long>(*sum));
  }
  app.stop();
  return 0;
}
