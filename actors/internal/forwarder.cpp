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

namespace {

/// Copies `from` into `to`, reusing the strings `to` has.
void copy_headers(const std::vector<models::header>& from,
                  std::vector<models::header>& to) {
  to.resize(from.size());
  for (size_t i = 0; i < from.size(); ++i) {
    to[i].key.assign(from[i].key);
    to[i].value.assign(from[i].value);
  }
}

} // namespace

process_outcome forwarder_processor::process(const batch_ptr& batch,
                                             size_t begin) {
  auto& records = batch->records;
  auto& out = out_;
  out.topic = target_;
  out.partition = -1;
  // The batch's buffers are not kept past this call.
  struct release {
    models::message& m;
    ~release() {
      m.key.reset();
      m.value.reset();
      m.value_object.reset();
    }
  } released{out};
  for (size_t i = begin; i < records.size(); ++i) {
    auto& m = *records[i];
    out.value = m.value;
    copy_headers(m.headers, out.headers);
    // The record's origin, so a table counting the forwarded records skips
    // a duplicate forward (after a crash) of a record it already counted.
    if (!m.find_header(storage::origin_header) || !storage::origin_of(m)) {
      auto& h = out.headers.emplace_back();
      h.key.assign(storage::origin_header);
      storage::encode_origin_into(h.value, m.topic, m.partition, m.offset);
    }
    out.timestamp_ms = m.timestamp_ms;
    if (m.value_object.has_value() || out.value_object.has_value())
      out.value_object = m.value_object;
    try {
      if (reroute_->new_key)
        out.key = reroute_->new_key(m);
      else
        out.key = m.key;
    } catch (const std::exception& e) {
      core_->reject(name_, m, e.what());
      host_->acks().add(batch->tp_id, m.offset);
      continue;
    }
    auto sent = core_->produce(std::as_const(out));
    if (!sent) {
      // Not acked: the record is redelivered after a restart.
      return {process_outcome::crashed, i,
              name_ + ": cannot forward " + m.topic + "[" +
                  std::to_string(m.partition) + "]@" +
                  std::to_string(m.offset) + " to '" + target_ +
                  "': " + sent.error().message};
    }
    host_->acks().add(batch->tp_id, m.offset);
  }
  return {process_outcome::ok, records.size(), {}};
}

} // namespace faust::internal
