#include "models/result.hpp"

#include <doctest/doctest.h>

using faust::errc;
using faust::error;
using faust::result;

TEST_CASE("an error carries a code to act on and its context") {
  error e{errc::timeout, "ask to agent 'add' got no reply within 200 ms"};
  CHECK(e.code == errc::timeout);
  CHECK(e.describe() ==
        "timeout: ask to agent 'add' got no reply within 200 ms");
  auto wrapped = e.with_context("client: ");
  CHECK(wrapped.code == errc::timeout);
  CHECK(wrapped.message ==
        "client: ask to agent 'add' got no reply within 200 ms");
  CHECK(faust::to_string(errc::not_owner) == "not_owner");
  CHECK(faust::to_string(errc::broker_unavailable) == "broker_unavailable");
}

TEST_CASE("result<void> is success or an error") {
  result<void> ok;
  CHECK(ok.has_value());
  CHECK_NOTHROW(ok.value());
  result<void> failed = error{errc::fenced, "producer t-0 was fenced"};
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == errc::fenced);
  CHECK_THROWS_WITH_AS(failed.value(), "fenced: producer t-0 was fenced",
                       std::runtime_error);
  result<int> value = 4;
  CHECK(*value == 4);
  result<int> none = error{errc::decode, "x: expected int, got string"};
  CHECK_THROWS_WITH_AS(none.value(), "decode: x: expected int, got string",
                       std::runtime_error);
}
