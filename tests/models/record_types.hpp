#pragma once

#include "models/datetime.hpp"
#include "models/record.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace test_models {

struct Point {
  int64_t x = 0;
  int64_t y = 0;
};

struct User {
  std::string id;
  std::string name;
};

struct Account {
  std::string id;
  User user;
  double balance = 0.0;
  std::optional<std::string> nickname;
  int64_t level = 1;
  std::vector<User> friends;
  std::map<std::string, Point> places;
  faust::models::datetime created{};
  nlohmann::ordered_json extra;
};

/// An Account with every field set but the nickname.
inline Account sample_account() {
  using namespace std::chrono;
  Account a;
  a.id = "a1";
  a.user = {"u1", "Ann"};
  a.balance = 10.5;
  a.level = 3;
  a.friends = {{"u2", "Bob"}};
  a.places = {{"home", {1, 2}}};
  a.created = sys_days{year{2019} / 1 / 2} + hours{3};
  a.extra = {{"tags", {"x"}}};
  return a;
}

} // namespace test_models

FAUST_RECORD_NS(test_models::Point, "t2.Point", x, y);
FAUST_RECORD(test_models::User, id, name);
FAUST_RECORD_NS(test_models::Account, "bank.Account", id, user, balance,
                nickname, level, friends, places, created, extra);
FAUST_RECORD_DEFAULTS(test_models::Account, level, friends, places, extra);
