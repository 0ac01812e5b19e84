#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace faust::models {

/// A point in time as records carry it. On the wire it is an ISO-8601
/// string in UTC as Faust writes it (`datetime.isoformat()` with `+00:00`
/// replaced by `Z`): `2019-01-02T03:04:05Z`, `2019-01-02T03:04:05.000600Z`.
using datetime = std::chrono::system_clock::time_point;

/// Formats `t` (microsecond precision) as Faust does.
std::string to_iso8601(datetime t);

/// Parses the ISO-8601 forms Faust reads (`Z`, `+HH:MM`, `-HHMM`, no offset
/// meaning UTC, optional fraction, a date alone meaning midnight). Returns
/// nothing for text that is not such a datetime.
std::optional<datetime> parse_iso8601(std::string_view text);

} // namespace faust::models
