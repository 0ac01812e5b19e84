#pragma once

#include <string_view>

namespace faust {

/// Sets the level of faust-cpp's log from a Faust log level name (`debug`,
/// `info`, `warn`, `warning`, `error`, `critical`, case-insensitive). False
/// if unknown. Messages go to stderr unless the application registered its
/// own spdlog logger named "faust" (see supervision/logger.hpp).
bool set_log_level(std::string_view name);

} // namespace faust
