#include "supervision/logger.hpp"

#include "supervision/recent_problems.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unistd.h>

namespace faust {

namespace {

/// Keeps the latest warnings and errors (`recent_problems`).
class problems_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  problems_sink() { set_level(spdlog::level::warn); }

  std::vector<logged_problem> list() {
    std::lock_guard lock(mutex_);
    return {kept_.begin(), kept_.end()};
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    logged_problem p;
    p.unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    msg.time.time_since_epoch())
                    .count();
    p.level =
        msg.level == spdlog::level::warn
            ? "warning"
            : std::string(spdlog::level::to_string_view(msg.level).data(),
                          spdlog::level::to_string_view(msg.level).size());
    p.message.assign(msg.payload.data(), msg.payload.size());
    kept_.push_back(std::move(p));
    while (kept_.size() > recent_problems_kept)
      kept_.pop_front();
  }
  void flush_() override {}

private:
  std::deque<logged_problem> kept_;
};

std::shared_ptr<problems_sink>& problems() {
  static auto sink = std::make_shared<problems_sink>();
  return sink;
}

} // namespace

spdlog::logger& log() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    if (auto existing = spdlog::get("faust"))
      return existing;
    auto created = spdlog::stderr_color_mt("faust");
    created->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] %v");
    created->sinks().push_back(problems());
    return created;
  }();
  return *instance;
}

std::vector<logged_problem> recent_problems() {
  return problems()->list();
}

bool set_log_level(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower == "warning")
    lower = "warn";
  if (lower == "crit")
    lower = "critical";
  auto level = spdlog::level::from_str(lower);
  if (level == spdlog::level::off && lower != "off")
    return false;
  log().set_level(level);
  return true;
}

std::optional<std::string> log_to_file(const std::string& path) {
  try {
    auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
    file->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    auto& sinks = log().sinks();
    sinks.clear();
    sinks.push_back(std::move(file));
    sinks.push_back(problems());
    // Each line reaches the file at once, as on stderr (a crash or a
    // SIGKILL loses none; the log is not a hot path).
    log().flush_on(spdlog::level::trace);
    return std::nullopt;
  } catch (const std::exception& e) {
    return "cannot write the log to '" + path + "': " + e.what();
  }
}

bool log_on_terminal() {
  if (!isatty(STDERR_FILENO))
    return false;
  for (auto& sink : log().sinks())
    if (dynamic_cast<spdlog::sinks::stderr_color_sink_mt*>(sink.get()))
      return true;
  return false;
}

void set_log_colors(bool on) {
  for (auto& sink : log().sinks())
    if (auto* console =
            dynamic_cast<spdlog::sinks::stderr_color_sink_mt*>(sink.get()))
      console->set_color_mode(on ? spdlog::color_mode::automatic
                                 : spdlog::color_mode::never);
}

} // namespace faust
