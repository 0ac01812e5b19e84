// The manual's adding agent (Agents chapter, examples/agent.py): an agent
// that yields a + b, called with ask.
//
//   build/bin/agent_example            asks adding(Add{4, 4}) in-process
//   build/bin/agent_example worker     runs the worker
#include <faust/app.hpp>

#include <cstdint>
#include <cstdio>

struct Add {
  int64_t a = 0;
  int64_t b = 0;
};
FAUST_RECORD_NS(Add, "examples.agent.Add", a, b);

int main(int argc, char** argv) {
  faust::app app{{.id = "agent-example", .broker = "memory://"}};
  auto topic = app.topic<std::string, Add>("adding");

  auto adding = app.agent("adding", topic,
                          [](faust::stream<std::string, Add>& stream)
                              -> faust::agent_task<int64_t> {
                            while (auto value = co_await stream.next())
                              co_yield value->a + value->b; // the reply to ask
                          });

  if (argc > 1)
    return app.main(argc, argv);

  app.start();
  auto sum = adding.ask(Add{4, 4});
  if (!sum) {
    std::fprintf(stderr, "%s\n", sum.error().message.c_str());
    app.stop();
    return 1;
  }
  std::printf("%lld\n", static_cast<long long>(*sum));
  auto sums = adding.join({Add{1, 2}, Add{3, 4}, Add{5, 6}});
  for (auto& s : sums)
    std::printf("%lld ", s ? static_cast<long long>(*s) : -1LL);
  std::printf("\n");
  app.stop();
  return 0;
}
