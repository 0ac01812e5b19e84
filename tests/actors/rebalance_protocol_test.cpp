// The rebalance coordinator's protocol, driven step by step on CAF's
// deterministic test coordinator: whom it informs of each rebalance step,
// in which order, and when it lets the consumer go on.
#include "actors/internal/app_core.hpp"
#include "actors/internal/rebalance_coordinator.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "deterministic_system.hpp"

namespace doctest {
template <> struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& lines) {
    std::string out = "[";
    for (auto& l : lines)
      out += (out.size() > 1 ? " | " : "") + l;
    return (out + "]").c_str();
  }
};
} // namespace doctest

using namespace faust::internal;
using faust::models::topic_partition;

namespace {

/// What happened, in order, as lines ("sub1 assigned views/0", ...).
using journal = std::shared_ptr<std::vector<std::string>>;

std::string names(const assignment& a) {
  std::string out;
  auto tps = a.partitions;
  std::sort(tps.begin(), tps.end());
  for (auto& tp : tps)
    out += (out.empty() ? "" : ",") + tp.topic + "/" +
           std::to_string(tp.partition);
  return out;
}

/// A stand-in for an agent's dispatcher. Its drain is answered at once,
/// or held until the test sends it `continue_atom`.
struct subscriber_state {
  std::vector<caf::typed_response_promise<bool>> held;
};
subscriber_api::behavior_type
fake_subscriber(subscriber_api::stateful_pointer<subscriber_state> self,
                std::string who, journal log, bool holds_drains) {
  return {
      [](batch_atom, const batch_ptr&) {},
      [=](assigned_atom, const assignment& a) {
        log->push_back(who + " assigned " + names(a));
      },
      [=](revoked_atom, const assignment& a) {
        log->push_back(who + " revoked " + names(a));
      },
      [=](drain_atom, const assignment& a) -> caf::result<bool> {
        log->push_back(who + " drain " + names(a));
        if (!holds_drains)
          return true;
        auto promise = self->make_response_promise<bool>();
        self->state.held.push_back(promise);
        return promise;
      },
  };
}

/// A stand-in for the table manager: recoveries are answered when the test
/// says so; releases at once.
struct tables_state {
  std::vector<caf::typed_response_promise<bool>> recoveries;
};
/// continue_atom: the recoveries succeed; cancel_atom: they fail.
using fake_tables_api = table_manager_api::extend<caf::reacts_to<continue_atom>,
                                                  caf::reacts_to<cancel_atom>>;
fake_tables_api::behavior_type
fake_tables(fake_tables_api::stateful_pointer<tables_state> self, journal log) {
  return {
      [=](recover_atom, const assignment& a) -> caf::result<bool> {
        log->push_back("tables recover " + names(a));
        auto promise = self->make_response_promise<bool>();
        self->state.recoveries.push_back(promise);
        return promise;
      },
      [=](release_atom, const assignment& gone, const assignment& remaining,
          bool lost) {
        log->push_back("tables release " + names(gone) + " keeping " +
                       names(remaining) + (lost ? " lost" : ""));
        return true;
      },
      [](release_all_atom) { return true; },
      [](standbys_atom, const std::vector<topic_partition>&) {},
      [](faust::protocol::changelog_push&) {},
      [](parts_atom) { return std::vector<table_partition_api>{}; },
      [self](continue_atom) {
        for (auto& p : self->state.recoveries)
          p.deliver(true);
        self->state.recoveries.clear();
      },
      [self](cancel_atom) {
        for (auto& p : self->state.recoveries)
          p.deliver(false);
        self->state.recoveries.clear();
      },
  };
}

/// A stand-in for the cluster member: keeps each announcement as a line
/// ("announce views/0=recovering,...").
cluster_member_api::behavior_type fake_member(journal log) {
  return {
      [=](announce_atom, const cluster_ownership& owned) {
        std::string line = "announce";
        for (auto& p : owned.active)
          line += " " + p.tp.topic + "/" + std::to_string(p.tp.partition) +
                  "=" + std::string(faust::cluster::to_string(p.state));
        log->push_back(line);
      },
      [](standbys_atom, const std::vector<topic_partition>&) {},
      [](tick_atom) {},
      [](web_atom) { return std::string{}; },
  };
}

/// The consumer's side: sends each step to the coordinator and writes its
/// answer in the journal.
caf::behavior fake_consumer(caf::event_based_actor* self,
                            rebalance_api coordinator, journal log) {
  auto answered = [log](std::string what) {
    return [log, what](bool ok) {
      log->push_back("answer " + what + (ok ? " true" : " false"));
    };
  };
  faust::internal::group_member me{"member-1", 3};
  return {
      [=](assigned_atom, const assignment& a) {
        self->request(coordinator, caf::infinite, assigned_atom::value, me, a)
            .then(answered("assigned"));
      },
      [=](drain_atom, const assignment& a) {
        self->request(coordinator, caf::infinite, drain_atom::value, me, a)
            .then(answered("drain"));
      },
      [=](revoked_atom, const assignment& a, bool lost) {
        self->request(coordinator, caf::infinite, revoked_atom::value, me, a,
                      lost)
            .then(answered("revoked"));
      },
  };
}

assignment parts(std::vector<topic_partition> tps) {
  return {std::move(tps)};
}

struct fixture : test_support::deterministic_system {
  journal log = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<app_core> core;
  caf::actor sub1, sub2, tables, consumer;
  rebalance_api coordinator;

  explicit fixture(bool with_tables = true, bool sub2_holds = false) {
    faust::app_settings s;
    s.id = "rb";
    s.broker = "kafka://127.0.0.1:1"; // never contacted
    core = std::make_shared<app_core>(s);
    rebalance_locals locals;
    if (with_tables) {
      auto t = keep(sys->spawn(fake_tables, log));
      tables = caf::actor_cast<caf::actor>(t);
      locals.tables = caf::actor_cast<table_manager_api>(t);
    }
    locals.member = keep(sys->spawn(fake_member, log));
    coordinator = keep(spawn_rebalance_coordinator(*sys, core, locals));
    sub1 = caf::actor_cast<caf::actor>(
        keep(sys->spawn(fake_subscriber, "sub1", log, false)));
    sub2 = caf::actor_cast<caf::actor>(
        keep(sys->spawn(fake_subscriber, "sub2", log, sub2_holds)));
    send(coordinator, subscribe_atom::value, std::string("views"),
         caf::actor_cast<subscriber_api>(sub1));
    send(coordinator, subscribe_atom::value, std::string("views"),
         caf::actor_cast<subscriber_api>(sub2));
    consumer = keep(sys->spawn(fake_consumer, coordinator, log));
  }
  /// The journal since the last call.
  std::vector<std::string> take() { return std::exchange(*log, {}); }
};

const topic_partition v0{"views", 0}, v1{"views", 1}, v2{"views", 2};

} // namespace

TEST_CASE("rebalance: an assignment is answered once the tables recovered "
          "it, and announced recovering, then ready") {
  fixture f;
  f.send(f.consumer, assigned_atom::value, parts({v0, v1}));
  auto steps = f.take();
  // Subscribers first (they must know the partitions before any record
  // comes), then the cluster hears "recovering", and the tables recover.
  CHECK(steps == std::vector<std::string>{
                     "sub1 assigned views/0,views/1",
                     "sub2 assigned views/0,views/1",
                     "announce views/0=recovering views/1=recovering",
                     "tables recover views/0,views/1"});
  // No answer yet: the consumer holds their records.
  f.send(f.tables, continue_atom::value);
  CHECK(f.take() ==
        std::vector<std::string>{"announce views/0=ready views/1=ready",
                                 "answer assigned true"});
}

TEST_CASE("rebalance: without tables an assignment is ready at once") {
  fixture f(false);
  f.send(f.consumer, assigned_atom::value, parts({v0}));
  CHECK(f.take() == std::vector<std::string>{
                        "sub1 assigned views/0", "sub2 assigned views/0",
                        "announce views/0=ready", "answer assigned true"});
}

TEST_CASE("rebalance: a drain announces the partitions gone at once and is "
          "answered after every subscriber finished its events") {
  fixture f(true, true);
  f.send(f.consumer, assigned_atom::value, parts({v0, v1}));
  f.send(f.tables, continue_atom::value);
  f.take();
  f.send(f.consumer, drain_atom::value, parts({v1}));
  CHECK(f.take() == std::vector<std::string>{"announce views/0=ready",
                                             "sub1 drain views/1",
                                             "sub2 drain views/1"});
  // sub2 still has an event of views/1 in flight: no answer until it ends.
  f.sched->run();
  CHECK(f.take().empty());
  // Its drain ran out of time: the answer says so (false).
  // (Every request's timer fires: the answered ones' are stale.)
  while (f.sched->trigger_timeout())
    f.sched->run();
  CHECK(f.take() == std::vector<std::string>{"answer drain false"});
}

TEST_CASE("rebalance: after the drain, the revoke tells the subscribers, "
          "then hands the tables over, keeping what is still owned") {
  fixture f;
  f.send(f.consumer, assigned_atom::value, parts({v0, v1, v2}));
  f.send(f.tables, continue_atom::value);
  f.take();
  f.send(f.consumer, drain_atom::value, parts({v1, v2}));
  CHECK(f.take() == std::vector<std::string>{
                        "announce views/0=ready", "sub1 drain views/1,views/2",
                        "sub2 drain views/1,views/2", "answer drain true"});
  f.send(f.consumer, revoked_atom::value, parts({v1, v2}), false);
  CHECK(f.take() == std::vector<std::string>{
                        "sub1 revoked views/1,views/2",
                        "sub2 revoked views/1,views/2",
                        "announce views/0=ready",
                        "tables release views/1,views/2 keeping views/0",
                        "answer revoked true"});
}

TEST_CASE("rebalance: lost partitions skip the drain and are handed over as "
          "lost") {
  fixture f;
  f.send(f.consumer, assigned_atom::value, parts({v0}));
  f.send(f.tables, continue_atom::value);
  f.take();
  f.send(f.consumer, revoked_atom::value, parts({v0}), true);
  CHECK(f.take() == std::vector<std::string>{
                        "sub1 revoked views/0", "sub2 revoked views/0",
                        "announce", "tables release views/0 keeping  lost",
                        "answer revoked true"});
}

TEST_CASE("rebalance: a recovery that ends after its partitions were revoked "
          "does not announce them ready") {
  fixture f;
  f.send(f.consumer, assigned_atom::value, parts({v0}));
  f.take();
  f.send(f.consumer, revoked_atom::value, parts({v0}), true);
  f.take();
  // Assigned again, recovering again, when the first recovery ends.
  f.send(f.consumer, assigned_atom::value, parts({v0}));
  f.take();
  f.send(f.tables, continue_atom::value); // ends both recoveries, in order
  // The first recovery's end leaves the second assignment recovering (it
  // has its own); the second's makes it ready. (The member and the
  // consumer are separate actors: only each one's own order is fixed.)
  auto steps = f.take();
  std::vector<std::string> announced;
  std::copy_if(steps.begin(), steps.end(), std::back_inserter(announced),
               [](auto& s) { return s.starts_with("announce"); });
  CHECK(announced == std::vector<std::string>{"announce views/0=recovering",
                                              "announce views/0=ready"});
  CHECK(std::count(steps.begin(), steps.end(), "answer assigned true") == 2);
}

TEST_CASE("rebalance: the leader topic's partition makes this worker the "
          "leader, announced, and its revoke ends it") {
  fixture f(false);
  topic_partition lead{f.core->leader_topic, 0};
  f.send(f.consumer, assigned_atom::value, parts({lead, v0}));
  CHECK(f.core->leader.load());
  auto steps = f.take();
  CHECK(std::find(steps.begin(), steps.end(),
                  "announce " + f.core->leader_topic +
                      "/0=ready views/0=ready") != steps.end());
  // The user's hook and the subscribers never see it.
  CHECK(steps.front() == "sub1 assigned views/0");
  f.send(f.consumer, revoked_atom::value, parts({lead}), false);
  CHECK_FALSE(f.core->leader.load());
}

TEST_CASE("rebalance: the user's revoke hook runs once per revoke, with the "
          "drain or with the revoke when there was none") {
  fixture f(false);
  auto hooked = std::make_shared<std::vector<std::string>>();
  f.core->on_partitions_revoked =
      [hooked](const std::vector<topic_partition>& t) {
        hooked->push_back(names(assignment{t}));
      };
  f.send(f.consumer, assigned_atom::value, parts({v0, v1}));
  f.send(f.consumer, drain_atom::value, parts({v0}));
  f.send(f.consumer, revoked_atom::value, parts({v0}), false);
  f.send(f.consumer, revoked_atom::value, parts({v1}), true);
  CHECK(*hooked == std::vector<std::string>{"views/0", "views/1"});
}

TEST_CASE("rebalance: a partition given up earlier (fenced) is not handed "
          "over again, nor its hook run again, when the group revokes it") {
  fixture f;
  auto hooked = std::make_shared<std::vector<std::string>>();
  f.core->on_partitions_revoked =
      [hooked](const std::vector<topic_partition>& t) {
        hooked->push_back(names(assignment{t}));
      };
  f.send(f.consumer, assigned_atom::value, parts({v0, v1}));
  f.send(f.tables, continue_atom::value);
  f.take();
  // The consumer gives views/0 up (its producer was fenced)...
  f.send(f.consumer, revoked_atom::value, parts({v0}), true);
  CHECK(f.take() ==
        std::vector<std::string>{"sub1 revoked views/0", "sub2 revoked views/0",
                                 "announce views/1=ready",
                                 "tables release views/0 keeping views/1 lost",
                                 "answer revoked true"});
  // ... then the group revokes both.
  f.send(f.consumer, revoked_atom::value, parts({v0, v1}), false);
  CHECK(f.take() == std::vector<std::string>{"sub1 revoked views/1",
                                             "sub2 revoked views/1", "announce",
                                             "tables release views/1 keeping ",
                                             "answer revoked true"});
  CHECK(*hooked == std::vector<std::string>{"views/0", "views/1"});
}

TEST_CASE("rebalance: partitions whose tables could not be recovered are not "
          "announced ready") {
  fixture f;
  f.send(f.consumer, assigned_atom::value, parts({v0}));
  f.take();
  f.send(f.tables, cancel_atom::value);
  auto steps = f.take();
  CHECK(std::find(steps.begin(), steps.end(), "announce views/0=ready") ==
        steps.end());
  CHECK(std::count(steps.begin(), steps.end(), "announce views/0=recovering") ==
        1);
  CHECK(std::count(steps.begin(), steps.end(), "answer assigned false") == 1);
}
