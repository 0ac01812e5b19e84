#include "supervision/logger.hpp"

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
  if (lower == "critical")
    lower = "critical";
  auto level = spdlog::level::from_str(lower);
  if (level == spdlog::level::off && lower != "off")
    return false;
  log().set_level(level);
  return true;
}

} // namespace faust
