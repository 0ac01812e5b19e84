#include "cluster/cluster_view.hpp"

#include <doctest/doctest.h>

using faust::cluster::announcement;
using faust::cluster::cluster_view;
using faust::cluster::owned_partition;
using faust::cluster::partition_state;
using faust::models::topic_partition;

namespace {

announcement worker(std::string id, int32_t generation,
                    std::vector<int32_t> partitions, int64_t at = 1) {
  announcement a;
  a.worker_id = std::move(id);
  a.host = "127.0.0.1";
  a.port = 4000;
  a.incarnation = "inc-" + a.worker_id;
  a.member_id = "member-" + a.worker_id;
  a.generation = generation;
  a.written_ms = at;
  for (auto p : partitions)
    a.active.push_back({topic_partition{"views", p}, partition_state::ready});
  return a;
}

std::vector<std::string> ids(const std::vector<const announcement*>& as) {
  std::vector<std::string> out;
  for (auto* a : as)
    out.push_back(a->worker_id);
  return out;
}

} // namespace

TEST_CASE("an announcement survives its record format unchanged") {
  auto a = worker("w1", 7, {0, 3});
  a.active[1].state = partition_state::recovering;
  a.standby = {topic_partition{"app-views-changelog", 1}};
  a.port = 65535;
  a.web_url = "http://w1.example:6066";
  auto decoded = faust::cluster::decode("w1", faust::cluster::encode(a));
  REQUIRE(decoded);
  CHECK(*decoded == a);
  // A record written before announcements had a web URL reads as none.
  auto older = faust::cluster::encode(a);
  std::string field = "\"web_url\":\"http://w1.example:6066\",";
  auto at = older.find(field);
  REQUIRE(at != std::string::npos);
  older.erase(at, field.size());
  decoded = faust::cluster::decode("w1", older);
  REQUIRE(decoded);
  CHECK(decoded->web_url.empty());
}

TEST_CASE("a malformed announcement is an error naming the worker and the "
          "field") {
  auto text = faust::cluster::encode(worker("w1", 1, {0}));
  SUBCASE("not JSON") {
    auto r = faust::cluster::decode("w1", "{oops");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == faust::errc::decode);
    CHECK(r.error().message.find("worker 'w1'") != std::string::npos);
  }
  SUBCASE("a field of the wrong type") {
    auto bad = text;
    bad.replace(bad.find("\"port\":4000"), 11, "\"port\":\"x\"");
    auto r = faust::cluster::decode("w1", bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("\"port\"") != std::string::npos);
  }
  SUBCASE("a port out of range") {
    auto bad = text;
    bad.replace(bad.find("\"port\":4000"), 11, "\"port\":70000");
    auto r = faust::cluster::decode("w1", bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("out of range (70000)") != std::string::npos);
  }
  SUBCASE("partitions that are not a list") {
    auto bad = text;
    bad.replace(bad.find("\"standby\":[]"), 12, "\"standby\":null");
    auto r = faust::cluster::decode("w1", bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("\"standby\" is not an array") !=
          std::string::npos);
  }
  SUBCASE("an unknown partition state") {
    auto bad = text;
    bad.replace(bad.find("\"ready\""), 7, "\"gone\"");
    auto r = faust::cluster::decode("w1", bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("\"gone\"") != std::string::npos);
  }
  SUBCASE("another protocol version") {
    auto bad = text;
    bad.replace(bad.find("\"version\":1"), 11, "\"version\":2");
    auto r = faust::cluster::decode("w1", bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("version 2") != std::string::npos);
  }
  SUBCASE("a record under another worker's key") {
    auto r = faust::cluster::decode("w2", text);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("names worker 'w1'") != std::string::npos);
  }
}

TEST_CASE("the view: a worker not assigned anything yet is no member") {
  cluster_view view;
  view.apply(worker("w1", -1, {}));
  CHECK(view.members().empty());
  CHECK(view.generation() == -1);
  REQUIRE(view.find("w1"));
  view.apply(worker("w1", 4, {0}));
  CHECK(ids(view.members()) == std::vector<std::string>{"w1"});
}

TEST_CASE("the view: a bad record is skipped and the view stays as it was") {
  cluster_view view;
  view.apply(worker("w1", 1, {0, 1}));
  CHECK_FALSE(view.apply("w1", std::string_view("{oops")));
  REQUIRE(view.find("w1"));
  CHECK(view.owner_of({"views", 1})->worker->worker_id == "w1");
}

TEST_CASE("the view: partitions belong to the newest generation announcing "
          "them, and a killed worker drops out at the next rebalance") {
  cluster_view view;
  view.apply(worker("w1", 1, {0, 1}));
  view.apply(worker("w2", 1, {2, 3}));
  CHECK(ids(view.members()) == std::vector<std::string>{"w1", "w2"});
  CHECK(view.owner_of({"views", 2})->worker->worker_id == "w2");
  CHECK_FALSE(view.owner_of({"views", 4}));
  CHECK_FALSE(view.owner_of({"other", 0}));

  // w2 is SIGKILLed (no tombstone); the group rebalances and w1 announces
  // every partition in generation 2.
  view.apply(worker("w1", 2, {0, 1, 2, 3}, 2));
  CHECK(view.generation() == 2);
  CHECK(view.owner_of({"views", 3})->worker->worker_id == "w1");
  CHECK(ids(view.members()) == std::vector<std::string>{"w1"});
  // Its record stays (nothing removes it) but it is no member.
  CHECK(view.find("w2"));
}

TEST_CASE("the view: during a rebalance an older generation keeps what no "
          "newer announcement claims yet") {
  cluster_view view;
  view.apply(worker("w1", 1, {0, 1}));
  view.apply(worker("w2", 1, {2, 3}));
  // w3 joined: w1 has announced generation 2, w2 not yet.
  view.apply(worker("w1", 2, {0}, 2));
  CHECK(view.owner_of({"views", 0})->worker->worker_id == "w1");
  CHECK(view.owner_of({"views", 2})->worker->worker_id == "w2");
  CHECK_FALSE(view.owner_of({"views", 1}));
  CHECK(ids(view.members()) == std::vector<std::string>{"w1"});
  view.apply(worker("w3", 2, {1, 2}, 3));
  view.apply(worker("w2", 2, {3}, 3));
  CHECK(view.owner_of({"views", 2})->worker->worker_id == "w3");
  CHECK(ids(view.members()) == std::vector<std::string>{"w1", "w2", "w3"});
}

TEST_CASE(
    "the view: a tombstone removes the worker, and its partitions have no "
    "owner until another announces them") {
  cluster_view view;
  view.apply(worker("w1", 3, {0, 1}));
  view.apply(worker("w2", 3, {2, 3}));
  CHECK(view.apply("w2", std::nullopt));
  CHECK_FALSE(view.find("w2"));
  CHECK_FALSE(view.owner_of({"views", 2}));
  CHECK(ids(view.members()) == std::vector<std::string>{"w1"});
}

TEST_CASE("the view: a worker's state per partition and its standbys") {
  cluster_view view;
  auto w1 = worker("w1", 1, {0, 1});
  w1.active[0].state = partition_state::recovering;
  auto w2 = worker("w2", 1, {2, 3});
  w2.standby = {topic_partition{"views", 0}};
  view.apply(w1);
  view.apply(w2);
  CHECK(view.owner_of({"views", 0})->state == partition_state::recovering);
  CHECK(view.owner_of({"views", 1})->state == partition_state::ready);
  CHECK(ids(view.standbys_of({"views", 0})) == std::vector<std::string>{"w2"});
  CHECK(view.standbys_of({"views", 1}).empty());
}
