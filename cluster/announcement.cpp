#include "cluster/announcement.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace faust::cluster {

std::string_view to_string(partition_state state) noexcept {
  switch (state) {
  case partition_state::recovering:
    return "recovering";
  case partition_state::ready:
    return "ready";
  }
  return "recovering";
}

namespace {

using json = nlohmann::json;

json partition_json(const models::topic_partition& tp) {
  return json{{"topic", tp.topic}, {"partition", tp.partition}};
}

/// Reads `field` of `object` as `T`; throws with the field's name. Numbers
/// must be integers that fit `T`, arrays arrays: nothing is converted.
template <class T> T field(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end())
    throw std::invalid_argument(std::string("no field \"") + name + "\"");
  auto wrong = [&](const std::string& what) {
    return std::invalid_argument(std::string("field \"") + name + "\" " + what);
  };
  if constexpr (std::is_integral_v<T>) {
    if (!it->is_number_integer())
      throw wrong(std::string("is not an integer (") + it->type_name() + ")");
    auto v = it->get<int64_t>();
    if (it->is_number_unsigned() && it->get<uint64_t>() > INT64_MAX)
      throw wrong("is out of range");
    if (v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        v > static_cast<int64_t>(std::numeric_limits<T>::max()))
      throw wrong("is out of range (" + std::to_string(v) + ")");
    return static_cast<T>(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string())
      throw wrong(std::string("is not a string (") + it->type_name() + ")");
    return it->template get<std::string>();
  } else {
    if (!it->is_array())
      throw wrong(std::string("is not an array (") + it->type_name() + ")");
    return *it;
  }
}

models::topic_partition read_partition(const json& j) {
  if (!j.is_object())
    throw std::invalid_argument("a partition is not an object");
  return {field<std::string>(j, "topic"), field<int32_t>(j, "partition")};
}

} // namespace

std::string encode(const announcement& a) {
  json active = json::array();
  for (auto& p : a.active) {
    auto j = partition_json(p.tp);
    j["state"] = std::string(to_string(p.state));
    active.push_back(std::move(j));
  }
  json standby = json::array();
  for (auto& tp : a.standby)
    standby.push_back(partition_json(tp));
  return json{{"version", a.version},
              {"worker", a.worker_id},
              {"host", a.host},
              {"port", a.port},
              {"incarnation", a.incarnation},
              {"member_id", a.member_id},
              {"generation", a.generation},
              {"active", std::move(active)},
              {"standby", std::move(standby)},
              {"written_ms", a.written_ms},
              {"web_url", a.web_url}}
      // Ids and hosts come from settings: bytes that are not UTF-8 are
      // replaced rather than thrown at the actor that announces.
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

result<announcement> decode(std::string_view key, std::string_view value) {
  auto fail = [&](const std::string& why) {
    return faust::error(errc::decode, "cluster announcement of worker '" +
                                          std::string(key) + "': " + why);
  };
  json j = json::parse(value, nullptr, false);
  if (j.is_discarded())
    return fail("not JSON");
  if (!j.is_object())
    return fail("not a JSON object");
  try {
    announcement a;
    a.version = field<int>(j, "version");
    if (a.version != announcement::current_version)
      return fail("version " + std::to_string(a.version) + " (this reads " +
                  std::to_string(announcement::current_version) + ")");
    a.worker_id = field<std::string>(j, "worker");
    a.host = field<std::string>(j, "host");
    a.port = field<uint16_t>(j, "port");
    a.incarnation = field<std::string>(j, "incarnation");
    a.member_id = field<std::string>(j, "member_id");
    a.generation = field<int32_t>(j, "generation");
    a.written_ms = field<int64_t>(j, "written_ms");
    // Added in version 1 later: absent in older records (no web server).
    if (auto url = j.find("web_url"); url != j.end() && !url->is_null())
      a.web_url = url->get<std::string>();
    for (auto& p : field<json>(j, "active")) {
      owned_partition owned{read_partition(p), partition_state::recovering};
      auto state = field<std::string>(p, "state");
      if (state == "ready")
        owned.state = partition_state::ready;
      else if (state != "recovering")
        throw std::invalid_argument("unknown partition state \"" + state +
                                    "\"");
      a.active.push_back(std::move(owned));
    }
    for (auto& p : field<json>(j, "standby"))
      a.standby.push_back(read_partition(p));
    if (a.worker_id != key)
      return fail("names worker '" + a.worker_id + "'");
    return a;
  } catch (const std::invalid_argument& e) {
    return fail(e.what());
  } catch (const json::exception& e) {
    return fail(e.what());
  }
}

} // namespace faust::cluster
