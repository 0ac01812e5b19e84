#include "transport/kafka/broker_liveness.hpp"

#include <simdjson.h>

#include <algorithm>

namespace faust::transport::kafka {

std::optional<std::vector<broker_liveness::broker_activity>>
broker_liveness::parse(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root))
    return std::nullopt;
  simdjson::dom::object brokers;
  if (root["brokers"].get(brokers))
    return std::nullopt;
  std::vector<broker_activity> out;
  for (auto [name, broker] : brokers) {
    broker_activity a;
    a.name = std::string(name);
    std::string_view state;
    if (!broker["state"].get(state))
      a.up = state == "UP";
    if (broker["rx"].get(a.responses))
      a.responses = 0;
    if (broker["rxidle"].get(a.idle_us))
      a.idle_us = -1;
    out.push_back(std::move(a));
  }
  return out;
}

void broker_liveness::on_statistics(std::string_view json,
                                    clock::time_point now) {
  auto brokers = parse(json);
  if (!brokers)
    return;
  for (auto& b : *brokers) {
    auto& seen = responses_[b.name];
    bool answered = b.responses > seen;
    seen = b.responses;
    if (!answered)
      continue;
    auto when = now;
    if (b.up && b.idle_us >= 0)
      when -= std::chrono::duration_cast<clock::duration>(
          std::chrono::microseconds{b.idle_us});
    last_answer_ = std::max(last_answer_, when);
  }
}

broker_liveness::change broker_liveness::check(clock::time_point now) {
  bool answering = now - last_answer_ < threshold_;
  if (answering == reachable_)
    return change::none;
  reachable_ = answering;
  return answering ? change::regained : change::lost;
}

} // namespace faust::transport::kafka
