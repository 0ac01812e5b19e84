// A small app built outside the faust-cpp tree: an agent that answers asks.
#include <faust/app.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  faust::app app{{.id = "greeter", .broker = "memory://"}};
  auto names = app.topic<std::string, std::string>("names");
  auto greet = app.agent("greet", names,
                         [](faust::stream<std::string, std::string>& stream)
                             -> faust::agent_task<std::string> {
                           while (auto name = co_await stream.next())
                             co_yield "hello " + *name; // the reply to ask
                         });
  if (argc > 1)
    return app.main(argc, argv);
  app.start();
  auto reply = greet.ask("installed");
  if (!reply) {
    std::fprintf(stderr, "ask failed: %s\n", reply.error().describe().c_str());
    app.stop();
    return 1;
  }
  std::printf("%s\n", reply->c_str());
  app.stop();
  return 0;
}
