#include "models/datetime.hpp"

#include <cctype>
#include <cstdio>

namespace faust::models {

namespace {

using namespace std::chrono;

bool read_digits(std::string_view s, size_t& pos, size_t count, int& out) {
  if (pos + count > s.size())
    return false;
  out = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
    out = out * 10 + (c - '0');
  }
  pos += count;
  return true;
}

} // namespace

std::string to_iso8601(datetime t) {
  auto us = time_point_cast<microseconds>(t);
  auto day = floor<days>(us);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> tod{us - day};
  char buf[48];
  int n = std::snprintf(
      buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d",
      static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
      static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
      static_cast<int>(tod.minutes().count()),
      static_cast<int>(tod.seconds().count()));
  std::string out(buf, static_cast<size_t>(n));
  if (auto frac = tod.subseconds().count(); frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  out += 'Z';
  return out;
}

std::optional<datetime> parse_iso8601(std::string_view s) {
  size_t pos = 0;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!read_digits(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-' ||
      !read_digits(s, pos, 2, mo) || pos >= s.size() || s[pos++] != '-' ||
      !read_digits(s, pos, 2, d))
    return std::nullopt;
  int64_t micros = 0;
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    ++pos;
    if (!read_digits(s, pos, 2, h) || pos >= s.size() || s[pos++] != ':' ||
        !read_digits(s, pos, 2, mi))
      return std::nullopt;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!read_digits(s, pos, 2, sec))
        return std::nullopt;
    }
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int64_t scale = 100000;
      size_t start = pos;
      while (pos < s.size() &&
             std::isdigit(static_cast<unsigned char>(s[pos]))) {
        micros += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start)
        return std::nullopt;
    }
    if (pos < s.size()) {
      char sign = s[pos];
      if (sign == 'Z' || sign == 'z') {
        ++pos;
      } else if (sign == '+' || sign == '-') {
        ++pos;
        int oh, om = 0;
        if (!read_digits(s, pos, 2, oh))
          return std::nullopt;
        if (pos < s.size() && s[pos] == ':')
          ++pos;
        if (pos < s.size() && !read_digits(s, pos, 2, om))
          return std::nullopt;
        offset_minutes = (oh * 60 + om) * (sign == '-' ? -1 : 1);
      }
    }
  }
  if (pos != s.size())
    return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                     day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60)
    return std::nullopt;
  auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} +
            microseconds{micros} - minutes{offset_minutes};
  return time_point_cast<system_clock::duration>(tp);
}

} // namespace faust::models
