// Every message type that may cross a node survives CAF's binary
// serialization field for field, alone and inside a caf::message (which
// needs the type announced under its name).
#include "actors/protocol/agent_call.hpp"
#include "actors/protocol/assignment.hpp"
#include "actors/protocol/changelog_push.hpp"
#include "actors/protocol/message_types.hpp"
#include "actors/protocol/recovery_state.hpp"
#include "actors/protocol/table_read.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <algorithm>

using namespace faust;
using namespace faust::protocol;

namespace {

/// `x` written by CAF's binary serializer and read back.
template <class T> T round_trip(caf::actor_system& sys, T x) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  REQUIRE_FALSE(sink(x));
  REQUIRE_FALSE(buf.empty());
  T out;
  caf::binary_deserializer source{sys, buf};
  REQUIRE_FALSE(source(out));
  return out;
}

/// `x` inside a message, saved and loaded as a node would send it.
template <class T>
std::optional<T> message_round_trip(caf::actor_system& sys, const T& x) {
  auto msg = caf::make_message(x);
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  if (auto err = msg.save(sink))
    return std::nullopt;
  caf::message back;
  caf::binary_deserializer source{sys, buf};
  if (auto err = back.load(source))
    return std::nullopt;
  if (!back.match_elements<T>())
    return std::nullopt;
  return back.get_as<T>(0);
}

agent_request request() {
  agent_request r;
  r.agent = "adder";
  r.key = std::string("k\0y", 3);
  r.value = R"({"a":1,"b":2})";
  r.partition = 3;
  r.correlation_id = "0a1b2c";
  r.reply_to = "f-simple-reply";
  r.timeout_ms = 30000;
  return r;
}

agent_reply failed_reply() {
  agent_reply r;
  r.correlation_id = "0a1b2c";
  r.failure = wire_error{errc::not_owner, "partition 3 moved to worker w2"};
  return r;
}

recovery_state recovery() {
  recovery_state s;
  s.table = "page_views";
  s.partition = 2;
  s.phase = recovery_phase::failed;
  s.records_read = 12345678901ull;
  s.records_applied = 42;
  s.took_ms = 1500;
  s.failure = wire_error{errc::store, "cannot open D/tables/page_views-2.db"};
  return s;
}

/// Two changelog records (one a tombstone with headers), as an owner pushes
/// them to a standby.
changelog_push pushed() {
  changelog_push p;
  p.topic = "app-counts-changelog";
  p.partition = 3;
  p.after = 41;
  p.first = 42;
  p.last = 43;
  p.from = "incarnation-1";
  models::message a;
  a.offset = 42;
  a.timestamp_ms = 1700000000123;
  a.key = std::string("\"k\"");
  a.value = std::string("7");
  p.add(a);
  models::message b;
  b.offset = 43;
  b.timestamp_ms = 1700000000124;
  b.key = std::string("gone");
  b.headers.push_back({"faust-origin", std::string("t\0[1]@9", 8)});
  p.add(b);
  return p;
}

struct registered {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  explicit registered(bool with_types) {
    if (with_types)
      add_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

} // namespace

TEST_CASE("protocol messages round-trip through CAF's binary format") {
  registered r{true};
  auto& sys = *r.sys;
  CHECK(round_trip(sys, request()) == request());
  auto no_key = request();
  no_key.key.reset();
  no_key.value.reset();
  CHECK(round_trip(sys, no_key) == no_key);
  CHECK(round_trip(sys, no_key) != request());

  agent_reply ok{"0a1b2c", std::string("3"), std::nullopt};
  CHECK(round_trip(sys, ok) == ok);
  CHECK(round_trip(sys, failed_reply()) == failed_reply());
  CHECK(round_trip(sys, failed_reply()).failure->to_error().code ==
        errc::not_owner);

  agent_cast cast{"adder", std::string("k"), std::string("1"), 0};
  CHECK(round_trip(sys, cast) == cast);

  assignment a{{{"orders", 0}, {"orders", 3}, {"f-app-views-changelog", 1}}};
  CHECK(round_trip(sys, a) == a);
  CHECK(round_trip(sys, assignment{}) == assignment{});

  table_read_request read{"page_views", 1, R"("p7")", true};
  CHECK(round_trip(sys, read) == read);
  table_read_reply answer{std::string("41"), 17, true, std::nullopt};
  CHECK(round_trip(sys, answer) == answer);

  CHECK(round_trip(sys, recovery()) == recovery());
  CHECK_FALSE(round_trip(sys, recovery()).ok());
}

TEST_CASE("protocol messages cross as caf::message only when announced") {
  registered with{true};
  CHECK(message_round_trip(*with.sys, request()) == request());
  CHECK(message_round_trip(*with.sys, failed_reply()) == failed_reply());
  CHECK(message_round_trip(*with.sys, recovery()) == recovery());
  CHECK(message_round_trip(*with.sys, assignment{{{"t", 1}}}) ==
        assignment{{{"t", 1}}});
  CHECK(message_round_trip(*with.sys, table_read_request{"t", 0, "k", false}) ==
        table_read_request{"t", 0, "k", false});
  CHECK(message_round_trip(*with.sys, pushed()) == pushed());

  // Without the announcement a node cannot send them (CAF says
  // unknown_type): every process calls add_message_types.
  registered without{false};
  CHECK_FALSE(message_round_trip(*without.sys, request()).has_value());

  auto names = message_type_names();
  CHECK(names.size() == 11);
  for (auto& n : names)
    CHECK(n.rfind("faust.", 0) == 0);
  CHECK(std::count(names.begin(), names.end(), "faust.agent_request") == 1);
}

TEST_CASE("changelog_push: records pack into one string and unpack in order, "
          "offsets, timestamps, tombstones and headers included") {
  auto p = pushed();
  std::vector<models::message> seen;
  CHECK(p.each([&](models::message m) { seen.push_back(std::move(m)); }));
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].topic == "app-counts-changelog");
  CHECK(seen[0].partition == 3);
  CHECK(seen[0].offset == 42);
  CHECK(seen[0].timestamp_ms == 1700000000123);
  CHECK(seen[0].key->view() == "\"k\"");
  CHECK(seen[0].value->view() == "7");
  CHECK(seen[0].headers.empty());
  CHECK(seen[1].offset == 43);
  CHECK_FALSE(seen[1].value.has_value());
  REQUIRE(seen[1].headers.size() == 1);
  CHECK(seen[1].headers[0].key == "faust-origin");
  CHECK(seen[1].headers[0].value == std::string("t\0[1]@9", 8));
  // Cut short, or with bytes left over: malformed.
  auto cut = p;
  cut.packed.pop_back();
  CHECK_FALSE(cut.each([](models::message) {}));
  auto longer = p;
  longer.packed += "x";
  CHECK_FALSE(longer.each([](models::message) {}));
}
