// The app's own pages (app.page), served by a running app's web server and
// fetched over HTTP on loopback.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>
#include <unistd.h>

#include "test_support.hpp"

using test_support::settings;

namespace {

struct http_answer {
  int status = 0;
  std::string body;
};

/// GETs `path` from the app's web server (HTTP/1.1, one request per
/// connection, 5 s timeouts).
http_answer get(const std::string& url, const std::string& path) {
  auto colon = url.rfind(':');
  REQUIRE(colon != std::string::npos);
  auto port = static_cast<uint16_t>(std::stoi(url.substr(colon + 1)));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string req = "GET " + path +
                    " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  REQUIRE(::send(fd, req.data(), req.size(), 0) ==
          static_cast<ssize_t>(req.size()));
  std::string raw;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    raw.append(buf, static_cast<size_t>(n));
  ::close(fd);
  http_answer out;
  REQUIRE(raw.rfind("HTTP/1.1 ", 0) == 0);
  out.status = std::stoi(raw.substr(9, 3));
  auto body = raw.find("\r\n\r\n");
  REQUIRE(body != std::string::npos);
  out.body = raw.substr(body + 4);
  return out;
}

} // namespace

TEST_CASE("app.page: the app's own pages are served with their path "
          "parameters and query, and may answer later from another thread") {
  faust::app app{settings("pages")};
  app.page("/hello/{name}/", [](const faust::page_request& req) {
    auto it = req.query.find("greeting");
    auto greeting = it == req.query.end() ? "hello" : it->second;
    return faust::page_response{200, "text/plain",
                                greeting + " " + req.params.at("name")};
  });
  std::thread later;
  app.page_async("/later",
                 [&later](const faust::page_request&, faust::page_reply r) {
                   later = std::thread([r] {
                     r({202, "application/json", "{\"later\": 1}"});
                   });
                 });
  app.page_async("/never", [](const faust::page_request&, faust::page_reply) {
    // lets its reply go unanswered
  });
  app.page("/boom", [](const faust::page_request&) -> faust::page_response {
    throw std::runtime_error("no luck");
  });
  CHECK(app.web_url().empty()); // not running yet
  app.start();
  auto url = app.web_url();
  REQUIRE(url.rfind("http://127.0.0.1:", 0) == 0);
  auto a = get(url, "/hello/J%C3%BCrgen%20K/?greeting=hi");
  CHECK(a.status == 200);
  CHECK(a.body == "hi J\xc3\xbcrgen K");
  a = get(url, "/later/");
  CHECK(a.status == 202);
  CHECK(a.body == "{\"later\": 1}");
  a = get(url, "/never");
  CHECK(a.status == 500);
  CHECK(a.body.find("gave no answer") != std::string::npos);
  a = get(url, "/boom");
  CHECK(a.status == 500);
  CHECK(a.body.find("no luck") != std::string::npos);
  a = get(url, "/healthz"); // the built-in views are still there
  CHECK(a.status == 200);
  app.stop();
  if (later.joinable())
    later.join();
  CHECK(app.web_url().empty());
}

TEST_CASE("app.page: a built-in view's place, a second page at a path and a "
          "path without '/' are refused") {
  faust::app app{settings("pages-refused")};
  auto page = [](const faust::page_request&) { return faust::page_response{}; };
  CHECK_THROWS_WITH_AS(app.page("/metrics", page),
                       doctest::Contains("built-in view"),
                       std::invalid_argument);
  CHECK_THROWS_AS(app.page("/table/mine/", page), std::invalid_argument);
  CHECK_THROWS_AS(app.page("/", page), std::invalid_argument);
  CHECK_THROWS_AS(app.page("mine", page), std::invalid_argument);
  app.page("/mine/", page);
  CHECK_THROWS_WITH_AS(app.page("/mine", page),
                       doctest::Contains("declared already"),
                       std::invalid_argument);
}
