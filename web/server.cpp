#include "web/server.hpp"

#include <atomic>
#include <cstdio>
#include <exception>
#include <mutex>
#include <restinio/all.hpp>
#include <string_view>
#include <utility>
#include <vector>

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
  case 400:
    return "Bad Request";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 414:
    return "URI Too Long";
  case 500:
    return "Internal Server Error";
  case 503:
    return "Service Unavailable";
  default:
    return "Status";
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// `s` with `%XX` decoded (and '+' as a space in a query); a '%' not
/// followed by two hex digits stays as it is.
std::string percent_decoded(std::string_view s, bool query) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 &&
        hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else if (query && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

/// The non-empty segments of `path` (still encoded).
std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos)
      end = path.size();
    if (end > start)
      out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::map<std::string, std::string> query_of(std::string_view query) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos)
      end = query.size();
    auto part = query.substr(start, end - start);
    if (!part.empty()) {
      auto eq = part.find('=');
      auto name = part.substr(0, eq);
      auto value = eq == std::string_view::npos ? std::string_view{}
                                                : part.substr(eq + 1);
      out.emplace(percent_decoded(name, true), percent_decoded(value, true));
    }
    start = end + 1;
  }
  return out;
}

/// A route: its pattern's segments (`{name}` matches any one segment).
struct route {
  std::vector<std::string> segments;
  view serve;

  bool match(const std::vector<std::string_view>& path,
             std::map<std::string, std::string>& params) const {
    if (path.size() != segments.size())
      return false;
    for (size_t i = 0; i < path.size(); ++i) {
      auto& want = segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}')
        params[want.substr(1, want.size() - 2)] =
            percent_decoded(path[i], false);
      else if (want != path[i])
        return false;
    }
    return true;
  }
  bool exact() const {
    for (auto& s : segments)
      if (s.size() > 2 && s.front() == '{' && s.back() == '}')
        return false;
    return true;
  }
};

/// Whether replies may still be written: closed before the server stops,
/// so a late reply (an actor answering after `stop`) is dropped rather
/// than written to a connection whose I/O context is gone.
struct reply_gate {
  std::mutex mutex;
  bool open = true;
};

/// One request waiting for its view's reply: answered once; 500 if the
/// view lets go of it without answering.
class pending_reply {
public:
  pending_reply(restinio::request_handle_t req, std::string path,
                std::shared_ptr<reply_gate> gate)
      : req_(std::move(req)), path_(std::move(path)), gate_(std::move(gate)) {}
  ~pending_reply() {
    if (!answered_.load())
      send(error_response(500, "the view at " + path_ + " gave no answer"));
  }
  pending_reply(const pending_reply&) = delete;
  pending_reply& operator=(const pending_reply&) = delete;

  void send(response r) {
    if (answered_.exchange(true))
      return;
    std::lock_guard<std::mutex> lock{gate_->mutex};
    if (!gate_->open)
      return;
    req_
        ->create_response(restinio::http_status_line_t{
            restinio::http_status_code_t{static_cast<std::uint16_t>(r.status)},
            reason_of(r.status)})
        .append_header(restinio::http_field::content_type, r.content_type)
        .set_body(std::move(r.body))
        .done();
  }

private:
  restinio::request_handle_t req_;
  std::string path_;
  std::shared_ptr<reply_gate> gate_;
  std::atomic<bool> answered_{false};
};

} // namespace

response error_response(int status, const std::string& why) {
  return {status, "application/json",
          "{\"error\": " + json_string(why) + "}\n"};
}

const std::string& request::param(const std::string& name) const {
  static const std::string none;
  auto it = params.find(name);
  return it == params.end() ? none : it->second;
}

bool request::flag(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end())
    return false;
  auto& v = it->second;
  return v.empty() || v == "1" || v == "true" || v == "yes";
}

view at_once(std::function<response(const request&)> fn) {
  return
      [fn = std::move(fn)](const request& req, reply done) { done(fn(req)); };
}

view at_once(std::function<response()> fn) {
  return [fn = std::move(fn)](const request&, reply done) { done(fn()); };
}

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

/// The most a request's head (request line and headers) may take.
constexpr uint32_t max_request_head = 2u << 20;

struct server::impl {
  /// Exact routes first, then patterns, each in path order.
  std::vector<route> routes;
  std::atomic<uint16_t> port{0};
  running_server running;
  std::shared_ptr<reply_gate> gate = std::make_shared<reply_gate>();
  bool stopped = false;
  size_t max_target_bytes = 8192;

  void answer(const restinio::request_handle_t& handle) const {
    auto& header = handle->header();
    std::string path{header.path()};
    auto pending = std::make_shared<pending_reply>(handle, path, gate);
    if (header.request_target().size() > max_target_bytes) {
      pending->send(error_response(
          414, "the request target is " +
                   std::to_string(header.request_target().size()) +
                   " bytes; at most " + std::to_string(max_target_bytes) +
                   " are served"));
      return;
    }
    if (header.method() != restinio::http_method_get()) {
      pending->send(error_response(405, "only GET is served here"));
      return;
    }
    request req;
    req.path = path;
    req.query = query_of(header.query());
    auto segments = segments_of(path);
    for (auto& r : routes) {
      req.params.clear();
      if (!r.match(segments, req.params))
        continue;
      try {
        r.serve(req,
                [pending](response out) { pending->send(std::move(out)); });
      } catch (const std::exception& e) {
        pending->send(error_response(500, "the view at " + path +
                                              " failed: " + e.what()));
      }
      return;
    }
    pending->send(error_response(404, "no view at " + path));
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
  {
    std::lock_guard<std::mutex> lock{impl_->gate->mutex};
    impl_->gate->open = false;
  }
  if (impl_->running) {
    impl_->running->stop();
    impl_->running->wait();
  }
}

result<std::unique_ptr<server>>
server::start(const server_options& options,
              std::map<std::string, view> routes) {
  auto p = std::make_unique<impl>();
  for (int exact = 1; exact >= 0; --exact)
    for (auto& [pattern, serve] : routes) {
      route r;
      for (auto s : segments_of(pattern))
        r.segments.emplace_back(s);
      r.serve = serve;
      if (r.exact() == (exact == 1))
        p->routes.push_back(std::move(r));
    }
  p->max_target_bytes = options.max_target_bytes;
  // http_parser's own bound on a request's head (80 KiB by default: a
  // longer URL would close the connection unanswered). Raised so that a
  // long target reaches the 414 above; a head past it is still cut off.
  static std::once_flag head_limit;
  std::call_once(head_limit,
                 [] { http_parser_set_max_header_size(max_request_head); });
  auto* self = p.get();
  try {
    p->running = restinio::run_async<traits>(
        restinio::own_io_context(),
        restinio::server_settings_t<traits>{}
            .address(options.bind)
            .port(options.port)
            .read_next_http_message_timelimit(options.read_timeout)
            .incoming_http_msg_limits(
                restinio::incoming_http_msg_limits_t{}.max_body_size(
                    options.max_body_bytes))
            .acceptor_post_bind_hook([self](asio::ip::tcp::acceptor& a) {
              self->port = a.local_endpoint().port();
            })
            .request_handler([self](restinio::request_handle_t req) {
              self->answer(req);
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
