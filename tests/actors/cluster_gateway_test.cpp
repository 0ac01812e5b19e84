// A worker's cluster endpoint, reached as another process would reach it:
// from a second actor system over CAF's TCP transport, at the endpoint the
// worker announced on its app's cluster topic.
#include "actors/internal/cluster_member.hpp"
#include "actors/protocol/message_types.hpp"
#include "cluster/cluster_view.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/partition_reader.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <doctest/doctest.h>

#include "tests/actors/test_support.hpp"

using namespace test_support;
using faust::transport::kafka::embedded_broker;

namespace {

/// The cluster view of `app_id` as a client folds it now.
faust::cluster::cluster_view read_view(const embedded_broker& broker,
                                       const std::string& app_id) {
  auto reader = faust::transport::kafka::partition_reader::create(
      {.bootstrap = broker.bootstrap()});
  REQUIRE(reader.has_value());
  faust::models::topic_partition tp{faust::internal::cluster_topic(app_id), 0};
  auto marks = (*reader)->watermarks(tp, 10s);
  REQUIRE(marks.has_value());
  faust::cluster::cluster_view view;
  auto read = (*reader)->read(
      {{tp, marks->first, marks->second}},
      [&](const faust::models::message& m) {
        std::optional<std::string_view> value;
        if (m.value)
          value = std::string_view(*m.value);
        CHECK(view.apply(std::string_view(*m.key), value));
      },
      10s);
  REQUIRE(read.has_value());
  return view;
}

/// A client process's actor system: CAF's network layer, with `app_id` as
/// the application identifier it presents.
struct client_config : caf::actor_system_config {
  explicit client_config(const std::string& app_id) {
    load<caf::io::middleman>();
    // The message types every process of the cluster announces.
    faust::protocol::add_message_types(*this);
    set("middleman.app-identifiers", std::vector<std::string>{app_id});
    set("logger.verbosity", caf::atom("quiet"));
  }
};

} // namespace

TEST_CASE("cluster: a worker's announced endpoint answers over CAF, for its "
          "own app only") {
  auto started = embedded_broker::start();
  REQUIRE(started.has_value());
  std::shared_ptr<embedded_broker> broker = std::move(*started);
  auto s = settings("gateway-app");
  s.broker = "embedded://";
  s.embedded_broker = broker;
  s.worker_id = "worker-a";
  faust::app app{s};
  app.topic<std::string, std::string>("words").stream();
  app.start();

  const faust::cluster::announcement* me = nullptr;
  faust::cluster::cluster_view view;
  REQUIRE(eventually([&] {
    view = read_view(*broker, "gateway-app");
    me = view.find("worker-a");
    return me != nullptr;
  }));
  CHECK(me->host == "127.0.0.1");
  REQUIRE(me->port > 0);
  CHECK(!me->incarnation.empty());

  SUBCASE("a client of the app reaches the gateway and learns who it is") {
    client_config cfg{"gateway-app"};
    caf::actor_system sys{cfg};
    auto gateway = sys.middleman().remote_actor<faust::internal::gateway_api>(
        me->host, me->port);
    REQUIRE_MESSAGE(gateway, sys.render(gateway.error()));
    caf::scoped_actor self{sys};
    std::string id, incarnation;
    self->request(*gateway, 5s, faust::internal::whois_atom::value)
        .receive(
            [&](const std::string& i, const std::string& inc) {
              id = i;
              incarnation = inc;
            },
            [&](caf::error& err) { FAIL(sys.render(err)); });
    CHECK(id == "worker-a");
    CHECK(incarnation == me->incarnation);
  }
  SUBCASE("another app's process is refused at the handshake") {
    client_config cfg{"another-app"};
    caf::actor_system sys{cfg};
    auto gateway = sys.middleman().remote_actor<faust::internal::gateway_api>(
        me->host, me->port);
    REQUIRE_FALSE(gateway);
    CHECK(gateway.error() == caf::sec::incompatible_application_ids);
  }
  app.stop();
  // A clean stop leaves a tombstone: the worker is gone from the view.
  CHECK(read_view(*broker, "gateway-app").find("worker-a") == nullptr);
}

TEST_CASE("cluster: one worker of a group is the leader, and when it stops "
          "another takes over") {
  auto started = embedded_broker::start();
  REQUIRE(started.has_value());
  std::shared_ptr<embedded_broker> broker = std::move(*started);
  auto make = [&](const char* id) {
    auto s = settings("leader-app");
    s.broker = "embedded://";
    s.embedded_broker = broker;
    s.worker_id = id;
    s.broker_session_timeout = 6s;
    auto app = std::make_unique<faust::app>(s);
    app->topic<std::string, std::string>("words").stream();
    return app;
  };
  auto a = make("worker-a");
  auto b = make("worker-b");
  a->start();
  b->start();
  // Exactly one leads once both are members, and the view names it.
  faust::cluster::cluster_view view;
  std::string leader;
  REQUIRE(eventually(
      [&] {
        view = read_view(*broker, "leader-app");
        auto owner = view.owner_of({"leader-app-__assignor-__leader", 0});
        if (view.members().size() != 2 || !owner ||
            owner->worker->generation != view.generation())
          return false;
        leader = owner->worker->worker_id;
        return a->is_leader() != b->is_leader();
      },
      30s));
  auto& leading = a->is_leader() ? a : b;
  auto& other = a->is_leader() ? b : a;
  CHECK(leader == (a->is_leader() ? "worker-a" : "worker-b"));

  leading->stop();
  CHECK_FALSE(leading->is_leader());
  CHECK(eventually([&] { return other->is_leader(); }, 30s));
  other->stop();
}
