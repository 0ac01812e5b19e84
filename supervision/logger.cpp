#include "supervision/logger.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <string>

namespace faust {

spdlog::logger& log() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    if (auto existing = spdlog::get("faust"))
      return existing;
    auto created = spdlog::stderr_color_mt("faust");
    created->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] %v");
    return created;
  }();
  return *instance;
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
    // Each line reaches the file at once, as on stderr (a crash or a
    // SIGKILL loses none; the log is not a hot path).
    log().flush_on(spdlog::level::trace);
    return std::nullopt;
  } catch (const std::exception& e) {
    return "cannot write the log to '" + path + "': " + e.what();
  }
}

void set_log_colors(bool on) {
  for (auto& sink : log().sinks())
    if (auto* console =
            dynamic_cast<spdlog::sinks::stderr_color_sink_mt*>(sink.get()))
      console->set_color_mode(on ? spdlog::color_mode::automatic
                                 : spdlog::color_mode::never);
}

} // namespace faust
