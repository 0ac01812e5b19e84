#include "storage/origin.hpp"

#include "storage/parse_number.hpp"

#include <charconv>

namespace faust::storage {

void encode_origin_into(std::string& out, std::string_view topic,
                        int32_t partition, int64_t offset) {
  // "/" partition "/" offset: at most 1 + 11 + 1 + 20 characters.
  char part[12], off[21];
  auto part_end = std::to_chars(part, part + sizeof part, partition).ptr;
  auto off_end = std::to_chars(off, off + sizeof off, offset).ptr;
  out.assign(topic);
  out += '/';
  out.append(part, part_end);
  out += '/';
  out.append(off, off_end);
}

std::string encode_origin(const origin& o) {
  std::string out;
  encode_origin_into(out, o.tp.topic, o.tp.partition, o.offset);
  return out;
}

std::optional<origin> decode_origin(std::string_view text) {
  auto last = text.rfind('/');
  if (last == std::string_view::npos || last == 0)
    return std::nullopt;
  auto middle = text.rfind('/', last - 1);
  if (middle == std::string_view::npos || middle == 0)
    return std::nullopt;
  auto partition =
      parse_number<int32_t>(text.substr(middle + 1, last - middle - 1));
  auto offset = parse_number<int64_t>(text.substr(last + 1));
  if (!partition || !offset || *partition < 0 || *offset < 0)
    return std::nullopt;
  return origin{{std::string(text.substr(0, middle)), *partition}, *offset};
}

std::optional<origin> origin_of(const models::message& m) {
  if (auto* h = m.find_header(origin_header))
    return decode_origin(*h);
  return std::nullopt;
}

std::string encode_origins(const std::vector<origin>& os) {
  std::string out;
  for (auto& o : os) {
    if (!out.empty())
      out += ';';
    out += encode_origin(o);
  }
  return out;
}

std::optional<std::vector<origin>> decode_origins(std::string_view text) {
  std::vector<origin> out;
  while (!text.empty()) {
    auto end = text.find(';');
    auto o = decode_origin(text.substr(0, end));
    if (!o)
      return std::nullopt;
    out.push_back(std::move(*o));
    text = end == std::string_view::npos ? std::string_view{}
                                         : text.substr(end + 1);
  }
  if (out.empty())
    return std::nullopt;
  return out;
}

std::vector<origin> origins_of(const models::message& m) {
  if (auto* h = m.find_header(origins_header)) {
    if (auto os = decode_origins(*h))
      return std::move(*os);
    return {};
  }
  if (auto o = origin_of(m))
    return {std::move(*o)};
  return {};
}

std::string encode_origin_part(const origin_part& p) {
  return std::to_string(p.index) + "/" + std::to_string(p.count);
}

std::optional<origin_part> decode_origin_part(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return std::nullopt;
  auto index = parse_number<uint32_t>(text.substr(0, slash));
  auto count = parse_number<uint32_t>(text.substr(slash + 1));
  if (!index || !count || *count == 0 || *index >= *count)
    return std::nullopt;
  return origin_part{*index, *count};
}

} // namespace faust::storage
