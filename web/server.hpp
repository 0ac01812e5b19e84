#pragma once

#include "models/result.hpp"

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

/// Answers a GET of one path.
using handler = std::function<response()>;

struct server_options {
  /// The address to listen on (an IP address).
  std::string bind = "127.0.0.1";
  /// 0: an ephemeral port (see `server::port`).
  uint16_t port = 6066;
};

class server {
public:
  /// Listens on `options` and serves `routes` (exact paths, e.g.
  /// "/healthz"; a path with a trailing '/' also answers without it).
  /// Other paths are 404, other methods 405, both with a JSON error.
  /// An address that cannot be bound is an error naming it.
  static result<std::unique_ptr<server>>
  start(const server_options& options, std::map<std::string, handler> routes);

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
