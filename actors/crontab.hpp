#pragma once

#include "models/result.hpp"

#include <bitset>
#include <chrono>
#include <string>
#include <string_view>

namespace faust {

/// A five-field cron schedule (`minute hour day-of-month month
/// day-of-week`), as Faust's `@app.crontab` takes (via croniter): numbers,
/// `*`, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, month and day
/// names (`jan`, `mon`), and Sunday as 0 or 7. When both day fields are
/// restricted, a day matching either runs (classic cron).
class cron_schedule {
public:
  using time_point = std::chrono::system_clock::time_point;

  /// Parses `expr`; the error names the offending field.
  static result<cron_schedule> parse(std::string_view expr);

  /// The first matching minute strictly after `t`, in time zone `tz` (an
  /// IANA name such as `Europe/Berlin`). Local times skipped by a daylight
  /// saving change do not run; repeated ones run once.
  /// Throws `std::runtime_error` for an unknown time zone.
  time_point next_after(time_point t, const std::string& tz) const;

private:
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;
  std::bitset<13> months_;
  std::bitset<7> weekdays_;
  bool any_day_ = true;
  bool any_weekday_ = true;
};

} // namespace faust
