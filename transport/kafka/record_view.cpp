#include "transport/kafka/record_view.hpp"

namespace faust::transport::kafka {

void to_message(models::message& msg, const rd_kafka_message_t* m,
                const std::string& topic,
                const std::shared_ptr<const void>& storage) {
  msg.topic = topic;
  msg.key.reset();
  msg.value.reset();
  msg.headers.clear();
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
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         !rd_kafka_header_get_all(headers, i, &name, &value, &size); ++i)
      msg.headers.push_back(
          {name, value ? std::string(static_cast<const char*>(value), size)
                       : std::string()});
  }
}

} // namespace faust::transport::kafka
