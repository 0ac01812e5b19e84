#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace faust {

/// Sets the level of faust-cpp's log from a Faust log level name (`debug`,
/// `info`, `warn`, `warning`, `error`, `crit`, `critical`,
/// case-insensitive). False if unknown. Messages go to stderr unless the
/// application registered its own spdlog logger named "faust" (see
/// supervision/logger.hpp).
bool set_log_level(std::string_view name);

/// Sends faust-cpp's log to the file `path` (appended to) instead of
/// stderr (Faust's `worker --logfile`). Call before anything logs from
/// another thread. An error names the file and why it cannot be opened.
std::optional<std::string> log_to_file(const std::string& path);

/// Turns the console log's colours off (Faust's `--no-color`); by default
/// they are on where stderr is a terminal.
void set_log_colors(bool on);

/// True when the log goes to stderr and stderr is a terminal: progress is
/// then shown as a bar redrawn in place (`recovery`) instead of log lines.
bool log_on_terminal();

} // namespace faust
