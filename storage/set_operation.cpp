#include "storage/set_operation.hpp"

#include <nlohmann/json.hpp>

#include <map>

namespace faust::storage {

namespace {

using json = nlohmann::json;

/// Members by their compact JSON text: the canonical order and identity.
using member_map = std::map<std::string, json>;

result<member_map> load(std::optional<std::string_view> stored) {
  member_map members;
  if (!stored)
    return members;
  auto parsed = json::parse(*stored, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array())
    return error{errc::decode, "a stored set is not a JSON array: " +
                                   std::string(stored->substr(0, 80))};
  for (auto& m : parsed)
    members.emplace(m.dump(), std::move(m));
  return members;
}

std::optional<std::string> dump(const member_map& members) {
  if (members.empty())
    return std::nullopt;
  auto out = json::array();
  for (auto& [text, m] : members)
    out.push_back(m);
  return out.dump();
}

result<json> parse_value(std::string_view value_json, set_operation op) {
  auto v = json::parse(value_json, nullptr, false);
  if (v.is_discarded())
    return error{errc::decode, "set operation " +
                                   std::to_string(static_cast<int>(op)) +
                                   ": the value is not JSON: " +
                                   std::string(value_json.substr(0, 80))};
  return v;
}

} // namespace

std::string set_changelog_key(set_operation op, std::string_view key_json) {
  std::string out = "[";
  out += std::to_string(static_cast<int>(op));
  out += ", ";
  out += key_json;
  out += ']';
  return out;
}

result<set_changelog_key_parts>
split_set_changelog_key(std::string_view bytes) {
  auto bad = [&](const std::string& why) {
    return error{errc::decode,
                 "not a set table changelog key ([operation, key]): " + why +
                     ": " + std::string(bytes.substr(0, 80))};
  };
  if (bytes.size() < 4 || bytes.front() != '[' || bytes.back() != ']')
    return bad("not a JSON array");
  auto comma = bytes.find(',');
  if (comma == std::string_view::npos)
    return bad("no key");
  auto op_text = bytes.substr(1, comma - 1);
  int op = 0;
  for (char c : op_text) {
    if (c < '0' || c > '9' || op > 1000)
      return bad("the operation is not a number");
    op = op * 10 + (c - '0');
  }
  if (op_text.empty())
    return bad("the operation is not a number");
  if (op != static_cast<int>(set_operation::add) &&
      op != static_cast<int>(set_operation::discard) &&
      op != static_cast<int>(set_operation::update))
    return bad("unknown operation " + std::to_string(op) +
               " (1 add, 2 discard, 15 update)");
  auto key = bytes.substr(comma + 1, bytes.size() - comma - 2);
  while (!key.empty() && key.front() == ' ')
    key.remove_prefix(1);
  if (key.empty())
    return bad("no key");
  return set_changelog_key_parts{static_cast<set_operation>(op), key};
}

result<stored_set> apply_set_operation(std::optional<std::string_view> stored,
                                       set_operation op,
                                       std::string_view value_json) {
  auto members = load(stored);
  if (!members)
    return members.error();
  auto value = parse_value(value_json, op);
  if (!value)
    return value.error();
  bool changed = false;
  auto add = [&](const json& m) {
    changed |= members->emplace(m.dump(), m).second;
  };
  auto discard = [&](const json& m) {
    changed |= members->erase(m.dump()) > 0;
  };
  switch (op) {
  case set_operation::add:
    add(*value);
    break;
  case set_operation::discard:
    discard(*value);
    break;
  case set_operation::update:
    if (!value->is_array() || value->size() != 2 || !(*value)[0].is_array() ||
        !(*value)[1].is_array())
      return error{errc::decode,
                   "set operation 15 (update): the value is not [[added...], "
                   "[removed...]]: " +
                       std::string(value_json.substr(0, 80))};
    for (auto& m : (*value)[0])
      add(m);
    for (auto& m : (*value)[1])
      discard(m);
    break;
  }
  return stored_set{dump(*members), changed};
}

result<std::vector<std::string>>
set_members(std::optional<std::string_view> stored) {
  auto members = load(stored);
  if (!members)
    return members.error();
  std::vector<std::string> out;
  out.reserve(members->size());
  for (auto& [text, m] : *members)
    out.push_back(text);
  return out;
}

bool set_contains(std::optional<std::string_view> stored,
                  std::string_view member_json) {
  auto members = load(stored);
  auto probe = json::parse(member_json, nullptr, false);
  return members && !probe.is_discarded() && members->count(probe.dump()) > 0;
}

std::string set_update_value(const std::vector<std::string>& added_json,
                             const std::vector<std::string>& removed_json) {
  auto list = [](const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i)
        out += ", ";
      out += items[i];
    }
    return out + "]";
  };
  return "[" + list(added_json) + ", " + list(removed_json) + "]";
}

} // namespace faust::storage
