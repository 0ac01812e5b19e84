#include "transport/kafka/record_view.hpp"

namespace faust::transport::kafka {

void to_message(models::message& msg, rd_kafka_message_t* m,
                std::string_view topic,
                const std::shared_ptr<const void>& storage) {
  if (msg.topic != topic)
    msg.topic.assign(topic);
  msg.key.reset();
  msg.value.reset();
  msg.key_object.reset();
  msg.value_object.reset();
  msg.partition = m->partition;
  msg.offset = m->offset;
  rd_kafka_timestamp_type_t type;
  msg.timestamp_ms = rd_kafka_message_timestamp(m, &type);
  if (m->key)
    msg.key.emplace(
        std::string_view(static_cast<const char*>(m->key), m->key_len),
        storage);
  if (m->payload)
    msg.value.emplace(
        std::string_view(static_cast<const char*>(m->payload), m->len),
        storage);
  size_t n = 0;
  rd_kafka_headers_t* headers = nullptr;
  // librdkafka parses a record's headers on first request (and only then
  // allocates for them): records without headers skip it.
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (; !rd_kafka_header_get_all(headers, n, &name, &value, &size); ++n) {
      if (n == msg.headers.size())
        msg.headers.emplace_back();
      auto& h = msg.headers[n];
      h.key.assign(name);
      if (value)
        h.value.assign(static_cast<const char*>(value), size);
      else
        h.value.clear();
    }
    // Copied: librdkafka's parsed copy goes now rather than with the
    // record, which may be held for a while.
    rd_kafka_message_detach_headers(m, &headers);
    rd_kafka_headers_destroy(headers);
  }
  msg.headers.resize(n);
}

} // namespace faust::transport::kafka
