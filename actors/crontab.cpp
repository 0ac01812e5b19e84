#include "actors/crontab.hpp"

#include <date/tz.h>

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace faust {

namespace {

constexpr std::array<std::string_view, 12> month_names{
    "jan", "feb", "mar", "apr", "may", "jun",
    "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> day_names{"sun", "mon", "tue", "wed",
                                                    "thu", "fri", "sat"};

struct field_spec {
  std::string_view label;
  int low;
  int high;
  int name_base; // value of the first name (jan=1, sun=0), or -1
};

bool parse_number(std::string_view s, const field_spec& f, int& out) {
  if (s.empty())
    return false;
  if (std::isalpha(static_cast<unsigned char>(s[0])) && f.name_base >= 0) {
    std::string lower;
    for (char c : s)
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool months = f.label == "month";
    const std::string_view* names =
        months ? month_names.data() : day_names.data();
    size_t count = months ? month_names.size() : day_names.size();
    for (size_t i = 0; i < count; ++i)
      if (names[i] == lower) {
        out = static_cast<int>(i) + f.name_base;
        return true;
      }
    return false;
  }
  auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc{} && res.ptr == s.data() + s.size();
}

template <size_t N>
result<void> parse_field(std::string_view text, const field_spec& f,
                         std::bitset<N>& bits, bool& any) {
  auto fail = [&](std::string why) {
    return error{errc::invalid_argument, "crontab " + std::string(f.label) +
                                             " field '" + std::string(text) +
                                             "': " + why};
  };
  any = text == "*";
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto part = text.substr(start, comma == std::string_view::npos
                                       ? std::string_view::npos
                                       : comma - start);
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string_view::npos) {
      if (!parse_number(part.substr(slash + 1), {f.label, 1, 1000, -1}, step) ||
          step <= 0)
        return fail("bad step");
      part = part.substr(0, slash);
    }
    int lo = f.low, hi = f.high;
    if (part != "*") {
      auto dash = part.find('-');
      if (!parse_number(part.substr(0, dash), f, lo))
        return fail("bad value '" + std::string(part) + "'");
      hi = lo;
      if (dash != std::string_view::npos &&
          !parse_number(part.substr(dash + 1), f, hi))
        return fail("bad range '" + std::string(part) + "'");
      if (dash == std::string_view::npos && step > 1)
        hi = f.high; // "5/15" means from 5 to the end
    }
    if (lo < f.low || hi > f.high || lo > hi)
      return fail("out of range " + std::to_string(f.low) + "-" +
                  std::to_string(f.high));
    for (int v = lo; v <= hi; v += step)
      bits.set(static_cast<size_t>(v == 7 && f.label == "day-of-week" ? 0 : v));
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return {};
}

} // namespace

result<cron_schedule> cron_schedule::parse(std::string_view expr) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < expr.size()) {
    while (i < expr.size() && std::isspace(static_cast<unsigned char>(expr[i])))
      ++i;
    size_t start = i;
    while (i < expr.size() &&
           !std::isspace(static_cast<unsigned char>(expr[i])))
      ++i;
    if (i > start)
      fields.push_back(expr.substr(start, i - start));
  }
  if (fields.size() != 5)
    return error{errc::invalid_argument,
                 "crontab '" + std::string(expr) +
                     "': expected 5 fields "
                     "(minute hour day-of-month month day-of-week), got " +
                     std::to_string(fields.size())};
  cron_schedule s;
  bool ignored;
  for (auto r :
       {parse_field(fields[0], {"minute", 0, 59, -1}, s.minutes_, ignored),
        parse_field(fields[1], {"hour", 0, 23, -1}, s.hours_, ignored),
        parse_field(fields[2], {"day-of-month", 1, 31, -1}, s.days_,
                    s.any_day_),
        parse_field(fields[3], {"month", 1, 12, 1}, s.months_, ignored),
        parse_field(fields[4], {"day-of-week", 0, 7, 0}, s.weekdays_,
                    s.any_weekday_)})
    if (!r)
      return r.error();
  return s;
}

cron_schedule::time_point
cron_schedule::next_after(time_point t, const std::string& tz) const {
  using namespace std::chrono;
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(tz);
  } catch (const std::exception& e) {
    throw std::runtime_error("unknown time zone '" + tz + "': " + e.what());
  }
  auto local = floor<minutes>(zone->to_local(t)) + minutes{1};
  // Five years covers every satisfiable expression (Feb 29 included).
  auto limit = local + date::days{366 * 5};
  while (local < limit) {
    auto day = floor<date::days>(local);
    date::year_month_day ymd{day};
    if (!months_.test(static_cast<unsigned>(ymd.month()))) {
      auto next_month =
          date::year_month{ymd.year(), ymd.month()} + date::months{1};
      local = date::local_days{next_month / 1};
      continue;
    }
    bool day_ok = days_.test(static_cast<unsigned>(ymd.day()));
    bool weekday_ok = weekdays_.test(date::weekday{day}.c_encoding());
    bool match = any_day_ && any_weekday_ ? true
                 : any_day_               ? weekday_ok
                 : any_weekday_           ? day_ok
                                          : (day_ok || weekday_ok);
    if (!match) {
      local = day + date::days{1};
      continue;
    }
    auto tod = local - day;
    auto h = duration_cast<hours>(tod).count();
    if (!hours_.test(static_cast<size_t>(h))) {
      local = floor<hours>(local) + hours{1};
      continue;
    }
    auto m = duration_cast<minutes>(tod).count() % 60;
    if (!minutes_.test(static_cast<size_t>(m))) {
      local += minutes{1};
      continue;
    }
    auto info = zone->get_info(local);
    if (info.result == date::local_info::nonexistent) {
      local += minutes{1};
      continue;
    }
    // Unique, or ambiguous (clocks fall back): the first occurrence.
    auto utc = local.time_since_epoch() - info.first.offset;
    auto when = time_point{duration_cast<system_clock::duration>(utc)};
    if (when > t)
      return when;
    local += minutes{1};
  }
  throw std::runtime_error("crontab never matches within five years");
}

} // namespace faust
