#include "storage/partition_custody.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using faust::storage::partition_custody;
using role = partition_custody::role;
using on_revoke = partition_custody::on_revoke;

TEST_CASE("custody: assigned, recovered, lent to its writer and given back") {
  partition_custody c;
  CHECK(c.current() == role::unassigned);
  CHECK_FALSE(c.assigned());
  auto gen = c.assign();
  CHECK(gen == 1);
  CHECK(c.current() == role::recovering);
  CHECK(c.assign() == gen); // assigned again while assigned: same one
  CHECK(c.recovered(gen));
  CHECK(c.current() == role::active);
  c.lend();
  CHECK(c.current() == role::lent);
  CHECK(c.assigned());
  CHECK_FALSE(c.returned()); // a writer that died gives it back: active
  CHECK(c.current() == role::active);
  c.lend();
  CHECK(c.revoke() == on_revoke::recall);
  CHECK(c.current() == role::handing_over);
  CHECK(c.returned()); // back during the revoke: hand it over now
  c.handed_over(true);
  CHECK(c.current() == role::standby);
  CHECK(c.generation() == 2);
}

TEST_CASE("custody: a standby stops following when placed elsewhere, and "
          "only a standby does") {
  partition_custody c;
  CHECK_FALSE(c.unfollow()); // unassigned
  CHECK(c.follow());
  CHECK(c.unfollow());
  CHECK(c.current() == role::unassigned);
  CHECK(c.follow());
  c.assign();
  CHECK_FALSE(c.unfollow()); // assigned here: not a standby's to drop
  CHECK(c.current() == role::recovering);
}

TEST_CASE("custody: a revoke during recovery makes the recovery stale") {
  partition_custody c;
  CHECK(c.follow());
  CHECK(c.current() == role::standby);
  auto gen = c.assign();
  CHECK(c.revoke() == on_revoke::abandon_recovery);
  CHECK(c.current() == role::standby);
  CHECK_FALSE(c.recovered(gen)); // finished after the revoke: ignored
  CHECK(c.current() == role::standby);
  // Assigned again: a new generation; the old recovery still does not count.
  auto again = c.assign();
  CHECK(again == gen + 2);
  CHECK_FALSE(c.recovered(gen));
  CHECK(c.recovered(again));
  CHECK(c.revoke() == on_revoke::hand_over);
  c.handed_over(false);
  CHECK(c.current() == role::unassigned);
}

TEST_CASE("custody: events that make no sense in a role are refused") {
  partition_custody c;
  CHECK(c.revoke() == on_revoke::nothing);
  CHECK_THROWS_AS(c.lend(), std::logic_error);
  CHECK_THROWS_AS(c.returned(), std::logic_error);
  CHECK_THROWS_AS(c.handed_over(true), std::logic_error);
  c.assign();
  CHECK_THROWS_AS(c.lend(), std::logic_error); // still recovering
  CHECK(c.recovered(c.generation()));
  CHECK(c.revoke() == on_revoke::hand_over);
  CHECK_FALSE(c.follow()); // being handed over
  CHECK_THROWS_AS(c.assign(), std::logic_error);
  CHECK(c.revoke() == on_revoke::nothing);
}
