#include "transport/kafka/client_statistics.hpp"

#include <simdjson.h>

#include <algorithm>

namespace faust::transport::kafka {

std::map<std::string, int64_t> client_statistics::sent_by_topic() const {
  std::map<std::string, int64_t> out;
  for (auto& p : partitions)
    out[p.topic] += p.sent;
  return out;
}

std::optional<client_statistics>
client_statistics::parse(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root))
    return std::nullopt;
  simdjson::dom::object topics;
  if (root["topics"].get(topics))
    return std::nullopt;
  client_statistics out;
  // librdkafka writes -1001 (OFFSET_INVALID) for an offset it does not
  // know: every negative one is -1 here.
  auto number = [](simdjson::dom::object o, const char* field) -> int64_t {
    int64_t v = -1;
    if (o[field].get(v) || v < 0)
      return -1;
    return v;
  };
  for (auto [name, topic] : topics) {
    simdjson::dom::object parts;
    if (topic["partitions"].get(parts))
      continue;
    for (auto [key, value] : parts) {
      simdjson::dom::object p;
      if (value.get(p))
        continue;
      auto id = number(p, "partition");
      if (id < 0)
        continue; // the internal "unassigned" partition
      partition got;
      got.topic = std::string(name);
      got.partition = static_cast<int32_t>(id);
      got.end_offset = number(p, "hi_offset");
      got.committed_offset = number(p, "committed_offset");
      got.sent = std::max<int64_t>(0, number(p, "txmsgs"));
      out.partitions.push_back(std::move(got));
    }
  }
  return out;
}

} // namespace faust::transport::kafka
