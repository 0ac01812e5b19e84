#include "transport/kafka/client_config.hpp"

#include "transport/kafka/log_bridge.hpp"

namespace faust::transport::kafka {

result<std::string> bootstrap_from_url(std::string_view url) {
  constexpr std::string_view scheme = "kafka://";
  if (url.substr(0, scheme.size()) != scheme)
    return error{errc::invalid_argument,
                 "broker URL '" + std::string(url) +
                     "': expected kafka://host:port[;host:port...]"};
  auto rest = url.substr(scheme.size());
  std::string out;
  while (!rest.empty()) {
    auto end = rest.find_first_of(";,");
    auto host = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{}
                                         : rest.substr(end + 1);
    // "kafka://a;kafka://b" is also accepted.
    if (host.substr(0, scheme.size()) == scheme)
      host.remove_prefix(scheme.size());
    while (!host.empty() && host.back() == '/')
      host.remove_suffix(1);
    if (host.empty())
      continue;
    if (!out.empty())
      out += ',';
    out += host;
    if (host.find(':') == std::string_view::npos)
      out += ":9092";
  }
  if (out.empty())
    return error{errc::invalid_argument,
                 "broker URL '" + std::string(url) + "' names no host"};
  return out;
}

result<conf_ptr> make_conf(const properties& props) {
  conf_ptr conf{rd_kafka_conf_new()};
  char err[512];
  for (auto& [name, value] : props)
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), err,
                          sizeof err) != RD_KAFKA_CONF_OK)
      return error{errc::invalid_argument,
                   "Kafka client property " + name + "=" + value + ": " + err};
  return conf;
}

result<client_ptr>
make_client(rd_kafka_type_t type, properties defaults, const properties& props,
            void* opaque,
            const std::function<void(rd_kafka_conf_t*)>& configure) {
  for (auto& [k, v] : props)
    defaults[k] = v;
  auto conf = make_conf(defaults);
  if (!conf)
    return conf.error();
  route_logs(conf->get());
  if (opaque)
    rd_kafka_conf_set_opaque(conf->get(), opaque);
  if (configure)
    configure(conf->get());
  char err[512];
  client_ptr client{rd_kafka_new(type, conf->release(), err, sizeof err)};
  if (!client)
    return error{errc::invalid_argument,
                 std::string("Kafka ") +
                     (type == RD_KAFKA_PRODUCER ? "producer" : "consumer") +
                     ": " + err};
  return client;
}

std::string describe(rd_kafka_resp_err_t err) {
  return std::string(rd_kafka_err2str(err)) + " (" + rd_kafka_err2name(err) +
         ")";
}

} // namespace faust::transport::kafka
