#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace faust {

/// The logger every faust-cpp component writes to, named "faust". Created
/// on first use with spdlog's colour console sink on stderr; an application
/// may register its own logger named "faust" before that to redirect it.
spdlog::logger& log();

/// Sets the level from a Faust log level name (`debug`, `info`, `warn`,
/// `warning`, `error`, `critical`, case-insensitive). False if unknown.
bool set_log_level(std::string_view name);

} // namespace faust
