#include "transport/kafka/log_bridge.hpp"

#include "supervision/logger.hpp"

#include <string_view>

namespace faust::transport::kafka {

namespace {

void log_line(const rd_kafka_t* rk, int level, const char* facility,
              const char* text) {
  // Connection failures also arrive as error events (logged by
  // `error_line`, once per kind): their log lines are for debugging.
  if (std::string_view(facility) == "FAIL")
    level = 7;
  auto lvl = level <= 3   ? spdlog::level::err
             : level == 4 ? spdlog::level::warn
             : level <= 6 ? spdlog::level::info
                          : spdlog::level::debug;
  faust::log().log(lvl, "librdkafka {} {}: {}", rd_kafka_name(rk), facility,
                   text);
}

void error_line(rd_kafka_t* rk, int err, const char* reason, void*) {
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  bool fatal = code == RD_KAFKA_RESP_ERR__FATAL;
  faust::log().log(fatal ? spdlog::level::critical : spdlog::level::warn,
                   "{}: {} ({}){}", rd_kafka_name(rk), reason,
                   rd_kafka_err2name(code),
                   fatal ? "" : "; librdkafka retries");
}

} // namespace

void route_logs(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, log_line);
  rd_kafka_conf_set_error_cb(conf, error_line);
}

} // namespace faust::transport::kafka
