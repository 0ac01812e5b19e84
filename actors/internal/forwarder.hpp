#pragma once

#include "faust/detail/core_access.hpp"
#include "faust/detail/processor.hpp"
#include "faust/stream_spec.hpp"

#include <memory>
#include <string>

namespace faust::internal {

/// The source side of `group_by`/`through`: forwards each source record to
/// the target topic with its value bytes and headers unchanged (Faust's
/// `event.forward`), re-keyed for group_by, then acks the source record.
/// With the memory broker a send completes before the ack, so nothing is
/// acked that was not forwarded.
class forwarder_processor final : public processor {
public:
  forwarder_processor(std::string name, std::shared_ptr<app_core> core,
                      std::shared_ptr<reroute_desc> reroute,
                      std::string target);

  process_outcome start(processor_host& host) override;
  process_outcome process(const batch_ptr& batch, size_t begin) override;

private:
  std::string name_;
  std::shared_ptr<app_core> core_;
  std::shared_ptr<reroute_desc> reroute_;
  std::string target_;
  processor_host* host_ = nullptr;
  /// The record being forwarded, reused for every record: its topic, header
  /// strings and vector keep their memory, so forwarding allocates nothing.
  models::message out_;
};

} // namespace faust::internal
