#include "actors/crontab.hpp"
#include "actors/internal/app_inspector.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "actors/interval_schedule.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <date/tz.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

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

namespace {

/// CAF's deterministic scheduler: no thread runs an actor, timeouts fire
/// when the test says.
struct deterministic_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  deterministic_system() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
  }
  /// The delay the only pending timeout was asked with.
  milliseconds pending_delay() const {
    auto& clock = sched->clock();
    REQUIRE(clock.schedule().size() == 1);
    return duration_cast<milliseconds>(clock.schedule().begin()->first -
                                       clock.current_time);
  }
  /// Fires the pending timeout and runs what it caused.
  void fire() {
    REQUIRE(sched->trigger_timeout());
    sched->run();
  }
};

} // namespace

TEST_CASE("a timer actor waits each delay its schedule gives, runs on each "
          "tick, and only on the leader when it must") {
  deterministic_system d;
  std::vector<milliseconds> delays{100ms, 250ms, 40ms, 40ms};
  size_t asked = 0;
  int runs = 0;
  bool leader = false;
  faust::internal::timer_config cfg;
  cfg.name = "t";
  cfg.next_delay = [&] {
    return delays.at(std::min(asked++, delays.size() - 1));
  };
  cfg.run = [&] { ++runs; };
  cfg.on_leader = true;
  cfg.is_leader = [&] { return leader; };
  auto timer = faust::internal::spawn_timer(*d.sys, cfg);
  d.sched->run();
  CHECK(runs == 0); // nothing runs before its first delay
  CHECK(d.pending_delay() == 100ms);
  d.fire(); // not the leader: skipped, and the next one is scheduled
  CHECK(runs == 0);
  CHECK(d.pending_delay() == 250ms);
  leader = true;
  d.fire();
  CHECK(runs == 1);
  CHECK(d.pending_delay() == 40ms);
  d.fire();
  CHECK(runs == 2);
  CHECK(asked == 4);
  caf::anon_send_exit(timer, caf::exit_reason::kill);
  d.sched->run();
  while (d.sched->trigger_timeout())
    d.sched->run();
}

TEST_CASE("an interval timer keeps its phase: a late run does not shift the "
          "next, runs missed in a stall are skipped") {
  faust::interval_schedule s{100ms};
  auto t0 = steady_clock::time_point{} + hours{1};
  CHECK(s.next_delay(t0) == 100ms);         // first run at +100
  CHECK(s.next_delay(t0 + 100ms) == 100ms); // on time: +200
  CHECK(s.next_delay(t0 + 230ms) == 70ms);  // 30 ms late: still +300
  CHECK(s.next_delay(t0 + 520ms) == 80ms);  // +400 and +500 missed: +600
  CHECK(s.next_delay(t0 + 599ms) == 101ms); // 1 ms early: +700, not +600 again
  CHECK(s.next_delay(t0 + hours{24}) == 100ms); // a day's stall: one step
}
