#include "storage/windowed_key.hpp"

#include "models/json_writer.hpp"
#include "storage/parse_number.hpp"

namespace faust::storage {

std::string windowed_key(std::string_view key_json, const window_range& range) {
  std::string out;
  out.reserve(key_json.size() + 32);
  out += '[';
  out += key_json;
  out += ", [";
  out += models::python_float_repr(range.start);
  out += ", ";
  out += models::python_float_repr(range.end);
  out += "]]";
  return out;
}

std::optional<windowed_key_parts> split_windowed_key(std::string_view bytes) {
  // `[<key>, [<start>, <end>]]`: numbers hold no '[', so the window is
  // after the last one, whatever the key's JSON contains.
  if (bytes.size() < 9 || bytes.front() != '[' || !bytes.ends_with("]]"))
    return std::nullopt;
  auto open = bytes.rfind('[');
  if (open < 3 || bytes.substr(open - 2, 2) != ", ")
    return std::nullopt;
  auto bounds = bytes.substr(open + 1, bytes.size() - open - 3);
  auto comma = bounds.find(", ");
  if (comma == std::string_view::npos)
    return std::nullopt;
  auto start = parse_number<double>(bounds.substr(0, comma));
  auto end = parse_number<double>(bounds.substr(comma + 2));
  if (!start || !end)
    return std::nullopt;
  return windowed_key_parts{bytes.substr(1, open - 3), {*start, *end}};
}

} // namespace faust::storage
