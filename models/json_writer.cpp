#include "models/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace faust::models {

void json_writer::integer(int64_t i) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), i);
  out_.append(buf, res.ptr);
}

void json_writer::unsigned_integer(uint64_t u) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), u);
  out_.append(buf, res.ptr);
}

void json_writer::floating(double d) {
  out_ += python_float_repr(d);
}

std::string python_float_repr(double d) {
  if (std::isnan(d))
    return "NaN";
  if (std::isinf(d))
    return d < 0 ? "-Infinity" : "Infinity";
  char buf[64];
  auto res =
      std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  // sci looks like "-1.2345e+07": split sign, digits and exponent.
  std::string out;
  size_t pos = 0;
  if (sci[0] == '-') {
    out += '-';
    pos = 1;
  }
  auto e_pos = sci.find('e');
  std::string digits;
  for (size_t i = pos; i < e_pos; ++i)
    if (sci[i] != '.')
      digits += sci[i];
  int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  if (exponent < -4 || exponent >= 16) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    out += 'e';
    out += exponent < 0 ? '-' : '+';
    int magnitude = std::abs(exponent);
    if (magnitude < 10)
      out += '0';
    out += std::to_string(magnitude);
    return out;
  }
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out += digits;
    return out;
  }
  auto int_len = static_cast<size_t>(exponent + 1);
  if (digits.size() <= int_len) {
    out += digits;
    out.append(int_len - digits.size(), '0');
    out += ".0";
  } else {
    out.append(digits, 0, int_len);
    out += '.';
    out.append(digits, int_len, std::string::npos);
  }
  return out;
}

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_u_escape(std::string& out, uint32_t code_unit) {
  out += "\\u";
  out += hex_digits[(code_unit >> 12) & 0xF];
  out += hex_digits[(code_unit >> 8) & 0xF];
  out += hex_digits[(code_unit >> 4) & 0xF];
  out += hex_digits[code_unit & 0xF];
}

// Decodes one UTF-8 sequence at s[i]; returns U+FFFD for invalid input.
uint32_t next_code_point(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = byte(i);
  int len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (len == 0 || i + static_cast<size_t>(len) > s.size()) {
    ++i;
    return 0xFFFD;
  }
  uint32_t cp = lead & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    unsigned char c = byte(i + static_cast<size_t>(k));
    if ((c & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  i += static_cast<size_t>(len);
  return cp;
}

} // namespace

void json_writer::string(std::string_view s) {
  out_ += '"';
  size_t i = 0;
  while (i < s.size()) {
    size_t run = i;
    while (run < s.size()) {
      auto c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
        break;
      ++run;
    }
    out_.append(s.data() + i, run - i);
    i = run;
    if (i == s.size())
      break;
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
    case '"':
      out_ += "\\\"";
      ++i;
      continue;
    case '\\':
      out_ += "\\\\";
      ++i;
      continue;
    case '\n':
      out_ += "\\n";
      ++i;
      continue;
    case '\r':
      out_ += "\\r";
      ++i;
      continue;
    case '\t':
      out_ += "\\t";
      ++i;
      continue;
    case '\b':
      out_ += "\\b";
      ++i;
      continue;
    case '\f':
      out_ += "\\f";
      ++i;
      continue;
    default:
      break;
    }
    if (c < 0x20) {
      append_u_escape(out_, c);
      ++i;
      continue;
    }
    uint32_t cp = next_code_point(s, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      append_u_escape(out_, 0xD800 + (cp >> 10));
      append_u_escape(out_, 0xDC00 + (cp & 0x3FF));
    } else {
      append_u_escape(out_, cp);
    }
  }
  out_ += '"';
}

} // namespace faust::models
