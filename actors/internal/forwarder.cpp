#include "actors/internal/forwarder.hpp"

#include "actors/internal/app_core.hpp"
#include "storage/origin.hpp"
#include "supervision/logger.hpp"

namespace faust::internal {

forwarder_processor::forwarder_processor(std::string name,
                                         std::shared_ptr<app_core> core,
                                         std::shared_ptr<reroute_desc> reroute,
                                         std::string target)
    : name_(std::move(name)), core_(std::move(core)),
      reroute_(std::move(reroute)), target_(std::move(target)) {}

process_outcome forwarder_processor::start(processor_host& host) {
  host_ = &host;
  return {};
}

process_outcome forwarder_processor::process(const record_batch& batch,
                                             size_t begin) {
  auto& records = batch.records;
  for (size_t i = begin; i < records.size(); ++i) {
    auto& m = *records[i];
    models::message out;
    out.topic = target_;
    out.partition = -1;
    out.value = m.value;
    out.headers = m.headers;
    // The record's origin, so a table counting the forwarded records skips
    // a duplicate forward (after a crash) of a record it already counted.
    if (!storage::origin_of(m))
      out.headers.push_back(
          {std::string(storage::origin_header),
           storage::encode_origin({{m.topic, m.partition}, m.offset})});
    out.timestamp_ms = m.timestamp_ms;
    out.value_object = m.value_object;
    try {
      out.key = reroute_->new_key ? reroute_->new_key(m) : m.key;
    } catch (const std::exception& e) {
      core_->reject(name_, m, e.what());
      host_->acks().add(batch.tp_id, m.offset);
      continue;
    }
    auto sent = core_->produce(std::move(out));
    if (!sent) {
      // Not acked: the record is redelivered after a restart.
      return {process_outcome::crashed, i,
              name_ + ": cannot forward " + m.topic + "[" +
                  std::to_string(m.partition) + "]@" +
                  std::to_string(m.offset) + " to '" + target_ +
                  "': " + sent.error().message};
    }
    host_->acks().add(batch.tp_id, m.offset);
  }
  return {process_outcome::ok, records.size(), {}};
}

} // namespace faust::internal
