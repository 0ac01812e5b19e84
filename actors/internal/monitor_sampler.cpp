#include "actors/internal/monitor_sampler.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/messages.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

namespace faust::internal {

namespace {

constexpr std::chrono::seconds sample_every{1};

/// On a terminal, one bar for every table partition being recovered,
/// redrawn in place each second and cleared when they are done (log lines
/// say the same when stderr is not a terminal).
void draw_recoveries(app_core& core, bool& shown) {
  if (!log_on_terminal())
    return;
  auto rows = core.board->recoveries(std::chrono::steady_clock::now());
  if (rows.empty()) {
    if (shown)
      std::fputs("\r\x1b[K", stderr);
    shown = false;
    return;
  }
  uint64_t read = 0, total = 0;
  double left = -1;
  for (auto& r : rows) {
    read += std::min(r.read, r.total);
    total += r.total;
    left = std::max(left, r.seconds_left);
  }
  constexpr int width = 30;
  int filled =
      total ? static_cast<int>(double(read) / double(total) * width) : 0;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(width, '-');
  std::fprintf(
      stderr,
      "\r\x1b[Krecovering %zu table partition%s [%s] %3.0f%% "
      "%llu/%llu records%s",
      rows.size(), rows.size() == 1 ? "" : "s", bar.c_str(),
      total ? 100.0 * double(read) / double(total) : 0.0,
      static_cast<unsigned long long>(read),
      static_cast<unsigned long long>(total),
      left >= 0 ? (", ~" + std::to_string(int(left + 0.5)) + " s left").c_str()
                : "");
  std::fflush(stderr);
  shown = true;
}

void sample(app_core& core, bool& bar_shown) {
  core.board->sample(core.stats, std::chrono::steady_clock::now());
  draw_recoveries(core, bar_shown);
}

// A function with an argument, not a capturing lambda: CAF 0.17 spawns an
// argument-less functor through a null tuple (UBSan reports the reference).
caf::behavior monitor_sampler_impl(caf::event_based_actor* self,
                                   std::shared_ptr<app_core> core) {
  supervision::name_failures(self, "the monitor sampler");
  auto bar_shown = std::make_shared<bool>(false);
  sample(*core, *bar_shown);
  self->delayed_send(self, sample_every, tick_atom::value);
  return {
      [self, core, bar_shown](tick_atom) {
        sample(*core, *bar_shown);
        self->delayed_send(self, sample_every, tick_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_monitor_sampler(caf::actor_system& sys,
                                 std::shared_ptr<app_core> core) {
  return sys.spawn(monitor_sampler_impl, std::move(core));
}

} // namespace faust::internal
