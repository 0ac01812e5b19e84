#pragma once

#include "models/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

/// A small HTTP server for a worker's views: GET routes by exact path,
/// served from a thread of its own. Handlers read what they show without
/// waiting (counters, snapshots): none blocks an actor's thread.
namespace faust::web {

/// What a handler answers.
struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

/// A GET request as a view sees it.
struct request {
  /// The path as sent (still percent-encoded).
  std::string path;
  /// The route's `{name}` segments, percent-decoded.
  std::map<std::string, std::string> params;
  /// The query's parameters, percent-decoded.
  std::map<std::string, std::string> query;

  /// Path parameter `name` ("" if the route has none of that name).
  const std::string& param(const std::string& name) const;
  /// True if query parameter `name` is given as 1, true or yes (or with
  /// no value).
  bool flag(const std::string& name) const;
};

/// Completes a request: called once, from any thread (a view may answer
/// later, e.g. from an actor's reply). A view that lets its `reply` go
/// without calling it answers 500.
using reply = std::function<void(response)>;

/// Answers a GET of one route.
using view = std::function<void(const request&, reply)>;

/// A view that answers at once with `fn`'s response.
view at_once(std::function<response(const request&)> fn);
/// The same for a view that needs nothing of the request.
view at_once(std::function<response()> fn);

/// `{"error": why}` with `status`.
response error_response(int status, const std::string& why);

struct server_options {
  /// The address to listen on (an IP address).
  std::string bind = "127.0.0.1";
  /// 0: an ephemeral port (see `server::port`).
  uint16_t port = 6066;
  /// A longer request target (path and query) is answered 414 (up to a
  /// request head of 2 MiB; past that the connection is closed).
  size_t max_target_bytes = 8192;
  /// A request body larger than this closes the connection (views take
  /// none).
  size_t max_body_bytes = 1 << 20;
  /// A connection that does not send a whole request within this is
  /// closed (a slow or stalled client holds nothing for long).
  std::chrono::seconds read_timeout{10};
};

class server {
public:
  /// Listens on `options` and serves `routes`: exact paths ("/healthz")
  /// or patterns whose `{name}` segments match any one segment
  /// ("/table/{name}/{key}/"); a trailing '/' is optional either way, and
  /// an exact path wins over a pattern. Other paths are 404, other
  /// methods 405, both with a JSON error. An address that cannot be bound
  /// is an error naming it.
  static result<std::unique_ptr<server>>
  start(const server_options& options, std::map<std::string, view> routes);

  /// The port it listens on (the one the system chose for port 0).
  uint16_t port() const;
  /// Stops listening and waits for its thread; idempotent.
  void stop();
  ~server();

  server(const server&) = delete;
  server& operator=(const server&) = delete;

private:
  struct impl;
  explicit server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// `text` as a JSON string literal (quoted and escaped).
std::string json_string(const std::string& text);

} // namespace faust::web
