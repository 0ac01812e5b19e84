#include "transport/kafka/log_bridge.hpp"

#include "supervision/logger.hpp"

namespace faust::transport::kafka {

namespace {

void log_line(const rd_kafka_t* rk, int level, const char* facility,
              const char* text) {
  auto lvl = level <= 3   ? spdlog::level::err
             : level == 4 ? spdlog::level::warn
             : level <= 6 ? spdlog::level::info
                          : spdlog::level::debug;
  faust::log().log(lvl, "librdkafka {} {}: {}", rd_kafka_name(rk), facility,
                   text);
}

} // namespace

void route_logs(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, log_line);
}

} // namespace faust::transport::kafka
