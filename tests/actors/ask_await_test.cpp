// `co_await agent.ask_async(...)` inside a coroutine agent: the instance
// waits without blocking a thread, keeps its event open and takes no other
// event meanwhile, then goes on with the rest of its batch.
#include <doctest/doctest.h>

#include <coroutine>
#include <exception>
#include <optional>
#include <string>

#include "tests/actors/test_support.hpp"

using namespace test_support;
using faust::agent_task;
using faust::stream;

TEST_CASE("co_await ask_async in an agent: each event's ask completes before "
          "the next event begins, in order, and the reply comes back") {
  faust::app app{settings("ask-await")};
  auto square = app.agent<int64_t>("square", [](int64_t& v) { return v * v; });
  collector<std::string> journal;
  auto front = app.agent<int64_t>(
      "front",
      [square,
       &journal](stream<std::string, int64_t>& st) -> agent_task<int64_t> {
        while (auto v = co_await st.next()) {
          journal.add("begin " + std::to_string(*v));
          auto squared = co_await square.ask_async(*v, std::string("k"));
          journal.add("end " + std::to_string(*v));
          co_yield squared.value() + 1;
        }
      });
  collector<int64_t> results;
  front.add_sink([&](const int64_t& r) { results.add(r); });
  app.start();
  // Sent together (one key: one partition, in order), so that several are
  // in one batch while the first waits.
  for (int64_t v = 1; v <= 5; ++v)
    REQUIRE(front.cast(v, {.key = "k"}).has_value());
  REQUIRE(results.wait_for(5));
  CHECK(results.items() == std::vector<int64_t>{2, 5, 10, 17, 26});
  std::vector<std::string> expected;
  for (int v = 1; v <= 5; ++v) {
    expected.push_back("begin " + std::to_string(v));
    expected.push_back("end " + std::to_string(v));
  }
  CHECK(journal.items() == expected);
  // An outside ask to the agent that asks inside.
  auto r = front.ask(7, {.key = "k"});
  REQUIRE(r.has_value());
  CHECK(*r == 50);
  app.stop();
}

TEST_CASE("co_await ask_async in an agent: an ask that gets no reply resumes "
          "the agent with the timeout error, and the agent goes on") {
  faust::app app{settings("ask-await-timeout")};
  auto silent = app.agent<int64_t>(
      "silent", [](stream<std::string, int64_t>& st) -> agent_task<int64_t> {
        while (auto v = co_await st.next())
          if (*v > 0)
            co_yield *v;
      });
  collector<std::string> outcomes;
  auto front = app.agent<int64_t>(
      "front",
      [silent,
       &outcomes](stream<std::string, int64_t>& st) -> agent_task<int64_t> {
        while (auto v = co_await st.next()) {
          faust::ask_options<std::string> opts{.timeout = 200ms};
          auto r = co_await silent.ask_async(*v, opts);
          outcomes.add(r ? "ok " + std::to_string(*r)
                         : "error " + r.error().message);
          co_yield r ? *r : -1;
        }
      });
  app.start();
  auto unanswered = front.ask(-3, {.key = "a"});
  REQUIRE(unanswered.has_value());
  CHECK(*unanswered == -1);
  auto answered = front.ask(4, {.key = "a"});
  REQUIRE(answered.has_value());
  CHECK(*answered == 4);
  auto seen = outcomes.items();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].rfind("error ask to agent 'silent' got no reply within "
                      "200 ms",
                      0) == 0);
  CHECK(seen[1] == "ok 4");
  app.stop();
}

namespace {

/// A coroutine that runs at once and is no agent: nothing would resume it.
struct eager {
  struct promise_type {
    eager get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

template <class Agent>
eager ask_outside(const Agent& agent,
                  std::optional<faust::result<int64_t>>& out) {
  out = co_await agent.ask_async(2);
}

} // namespace

TEST_CASE("co_await ask_async outside an agent gives an error at once") {
  faust::app app{settings("ask-await-outside")};
  auto square = app.agent<int64_t>("square", [](int64_t& v) { return v * v; });
  app.start();
  std::optional<faust::result<int64_t>> out;
  ask_outside(square, out);
  REQUIRE(out.has_value());
  REQUIRE_FALSE(out->has_value());
  CHECK(out->error().code == faust::errc::invalid_argument);
  CHECK(out->error().message.find("inside a coroutine agent only") !=
        std::string::npos);
  app.stop();
}
