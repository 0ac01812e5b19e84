#pragma once

#include <functional>
#include <map>
#include <string>

namespace faust {

/// A GET request to one of the app's own pages (see `app::page`).
struct page_request {
  /// The path as sent (still percent-encoded).
  std::string path{};
  /// The page pattern's `{name}` segments, percent-decoded.
  std::map<std::string, std::string> params{};
  /// The query's parameters, percent-decoded.
  std::map<std::string, std::string> query{};
};

/// What a page answers.
struct page_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body{};
};

/// Completes a page's request: called once, from any thread.
using page_reply = std::function<void(page_response)>;

/// A page that answers at once. It runs on the web server's thread: it must
/// not wait for anything slow (an `ask`, a lock held elsewhere); such a
/// page answers later, as an `async_page_handler`.
using page_handler = std::function<page_response(const page_request&)>;

/// A page that answers when it can (from `ask_async`'s callback, a timer,
/// another thread) by calling its `page_reply`. A page that lets its reply
/// go without calling it answers 500.
using async_page_handler = std::function<void(const page_request&, page_reply)>;

} // namespace faust
