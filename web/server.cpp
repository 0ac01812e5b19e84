#include "web/server.hpp"

#include <atomic>
#include <cstdio>
#include <exception>
#include <restinio/all.hpp>
#include <utility>

namespace faust::web {

namespace {

/// Plain RESTinio: asio's timers (connection timeouts), no logger (the
/// worker logs what matters), one handler that looks paths up itself.
using traits =
    restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t>;
using running_server = restinio::running_server_handle_t<traits>;

std::string reason_of(int status) {
  switch (status) {
  case 200:
    return "OK";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 500:
    return "Internal Server Error";
  case 503:
    return "Service Unavailable";
  default:
    return "Status";
  }
}

response error_response(int status, const std::string& why) {
  return {status, "application/json",
          "{\"error\": " + json_string(why) + "}\n"};
}

} // namespace

std::string json_string(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  out += '"';
  return out;
}

struct server::impl {
  std::map<std::string, handler> routes;
  std::atomic<uint16_t> port{0};
  running_server running;
  bool stopped = false;

  response answer(const restinio::request_t& req) const {
    if (req.header().method() != restinio::http_method_get())
      return error_response(405, "only GET is served here");
    std::string path{req.header().path()};
    auto it = routes.find(path);
    if (it == routes.end() && path.size() > 1 && path.back() == '/')
      it = routes.find(path.substr(0, path.size() - 1));
    if (it == routes.end())
      return error_response(404, "no view at " + path);
    try {
      return it->second();
    } catch (const std::exception& e) {
      return error_response(500,
                            "the view at " + path + " failed: " + e.what());
    }
  }
};

server::server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

server::~server() {
  stop();
}

uint16_t server::port() const {
  return impl_->port.load();
}

void server::stop() {
  if (!impl_ || impl_->stopped)
    return;
  impl_->stopped = true;
  if (impl_->running) {
    impl_->running->stop();
    impl_->running->wait();
  }
}

result<std::unique_ptr<server>>
server::start(const server_options& options,
              std::map<std::string, handler> routes) {
  auto p = std::make_unique<impl>();
  p->routes = std::move(routes);
  auto* self = p.get();
  try {
    p->running = restinio::run_async<traits>(
        restinio::own_io_context(),
        restinio::server_settings_t<traits>{}
            .address(options.bind)
            .port(options.port)
            .acceptor_post_bind_hook([self](asio::ip::tcp::acceptor& a) {
              self->port = a.local_endpoint().port();
            })
            .request_handler([self](restinio::request_handle_t req) {
              auto r = self->answer(*req);
              req
                  ->create_response(restinio::http_status_line_t{
                      restinio::http_status_code_t{
                          static_cast<std::uint16_t>(r.status)},
                      reason_of(r.status)})
                  .append_header(restinio::http_field::content_type,
                                 r.content_type)
                  .set_body(std::move(r.body))
                  .done();
              return restinio::request_accepted();
            }),
        1);
  } catch (const std::exception& e) {
    return error{errc::invalid_argument,
                 "web server: cannot listen on " + options.bind + ":" +
                     std::to_string(options.port) + ": " + e.what()};
  }
  return std::unique_ptr<server>(new server(std::move(p)));
}

} // namespace faust::web
