#pragma once

#include "supervision/log_level.hpp"

#include <spdlog/spdlog.h>

#include <memory>

namespace faust {

/// The logger every faust-cpp component writes to, named "faust". Created
/// on first use with spdlog's colour console sink on stderr; an application
/// may register its own logger named "faust" before that to redirect it.
spdlog::logger& log();

} // namespace faust
