#include "transport/kafka/fetched_run.hpp"

namespace faust::transport::kafka {

fetched_run& fetched_run::operator=(fetched_run&& other) noexcept {
  if (this != &other) {
    release();
    topic_ = other.topic_;
    partition_ = other.partition_;
    raw_ = std::move(other.raw_);
    client_ = std::move(other.client_);
  }
  return *this;
}

fetched_run::~fetched_run() {
  release();
}

void fetched_run::release() {
  for (auto* m : raw_)
    rd_kafka_message_destroy(m);
  raw_.clear();
}

} // namespace faust::transport::kafka
