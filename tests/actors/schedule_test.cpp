#include "actors/crontab.hpp"
#include "actors/internal/app_inspector.hpp"

#include <date/tz.h>
#include <doctest/doctest.h>

#include <atomic>

#include "tests/actors/test_support.hpp"

using namespace test_support;
using faust::cron_schedule;
using namespace std::chrono;

namespace {

cron_schedule::time_point utc(int y, unsigned m, unsigned d, int h, int min) {
  return time_point_cast<system_clock::duration>(
      date::sys_days{date::year{y} / m / d} + hours{h} + minutes{min});
}

} // namespace

TEST_CASE("timers run repeatedly and startup tasks once") {
  faust::app app{settings("timers")};
  collector<int> ticks, tasks;
  std::atomic<int> n{0};
  app.timer(20ms, [&] { ticks.add(++n); }, {.on_leader = true});
  app.task([&] { tasks.add(1); });
  app.start();
  CHECK(ticks.wait_for(3));
  CHECK(tasks.wait_for(1));
  app.stop();
  CHECK(tasks.size() == 1);
}

TEST_CASE("a timer that throws is restarted by its supervisor") {
  faust::app app{settings("timer-crash")};
  collector<int> runs;
  std::atomic<int> n{0};
  app.timer(10ms, [&] {
    runs.add(++n);
    if (n == 1)
      throw std::runtime_error("first run fails");
  });
  app.start();
  CHECK(runs.wait_for(3));
  CHECK_FALSE(app.crashed());
  app.stop();
}

TEST_CASE("crontab expressions and their next run in a time zone") {
  auto daily = cron_schedule::parse("0 20 * * *").value();
  // 20:00 in US/Pacific (PST, UTC-8) is 04:00 UTC the next day.
  CHECK(daily.next_after(utc(2026, 1, 1, 0, 0), "US/Pacific") ==
        utc(2026, 1, 1, 4, 0));
  CHECK(daily.next_after(utc(2026, 1, 1, 4, 0), "US/Pacific") ==
        utc(2026, 1, 2, 4, 0));
  // PDT (UTC-7) in summer.
  CHECK(daily.next_after(utc(2026, 7, 1, 0, 0), "US/Pacific") ==
        utc(2026, 7, 1, 3, 0));

  auto every15 = cron_schedule::parse("*/15 * * * *").value();
  CHECK(every15.next_after(utc(2026, 1, 1, 10, 7), "UTC") ==
        utc(2026, 1, 1, 10, 15));

  auto weekdays = cron_schedule::parse("30 9 * * mon-fri").value();
  // 2026-01-03 is a Saturday: next run Monday the 5th.
  CHECK(weekdays.next_after(utc(2026, 1, 3, 12, 0), "UTC") ==
        utc(2026, 1, 5, 9, 30));

  // 02:30 does not exist in Berlin on 2026-03-29 (clocks spring forward).
  auto night = cron_schedule::parse("30 2 * * *").value();
  CHECK(night.next_after(utc(2026, 3, 28, 12, 0), "Europe/Berlin") ==
        utc(2026, 3, 30, 0, 30));

  auto first_or_monday = cron_schedule::parse("0 0 1 * 1").value();
  // Either the 1st or a Monday: 2026-02-02 is a Monday, before March 1st.
  CHECK(first_or_monday.next_after(utc(2026, 1, 27, 0, 0), "UTC") ==
        utc(2026, 2, 1, 0, 0));
}

TEST_CASE("bad crontab expressions and time zones are reported") {
  CHECK(cron_schedule::parse("* * *").error().code ==
        faust::errc::invalid_argument);
  CHECK(cron_schedule::parse("* * *").error().message ==
        "crontab '* * *': expected 5 fields (minute hour day-of-month month "
        "day-of-week), got 3");
  CHECK(cron_schedule::parse("61 * * * *").error().message ==
        "crontab minute field '61': out of range 0-59");
  faust::app app{settings("cron-errors")};
  CHECK_THROWS_AS(app.crontab("0 0 * * *", [] {}, {.timezone = "Mars/Olympus"}),
                  std::invalid_argument);
  CHECK_THROWS_AS(app.crontab("0 0 * *", [] {}), std::invalid_argument);
}

TEST_CASE("a crontab fires at its time in its time zone") {
  faust::app app{settings("cron")};
  // A wall clock 200 ms before 2026-01-02T04:00:00Z, running at the real
  // pace from there: 20:00 in US/Pacific (PST, UTC-8). The same crontab in
  // UTC would not run for another 16 hours.
  auto base = utc(2026, 1, 2, 4, 0) - milliseconds{200};
  auto started = steady_clock::now();
  auto fake_now = [base, started] {
    return base +
           duration_cast<system_clock::duration>(steady_clock::now() - started);
  };
  faust::internal::app_inspector::set_wall_clock(app, fake_now);
  collector<system_clock::time_point> fired;
  app.crontab("0 20 * * *", [&] { fired.add(fake_now()); },
              {.timezone = "US/Pacific"});
  app.start();
  REQUIRE(fired.wait_for(1));
  auto at = fired.items().front();
  CHECK(at >= utc(2026, 1, 2, 4, 0));
  CHECK(at < utc(2026, 1, 2, 4, 0) + seconds{5});
  app.stop();
  CHECK(fired.size() == 1); // the next run is a day later
}
