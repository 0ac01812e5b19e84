#include "actors/internal/web_views.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/dashboard_page.hpp"
#include "actors/internal/monitor_views.hpp"
#include "actors/internal/table_read.hpp"
#include "transport/murmur2.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace faust::internal {

namespace {

web::response json(int status, std::string body) {
  return {status, "application/json", std::move(body) + "\n"};
}

/// Asks `to` for a string, from a short-lived actor (the web server's
/// thread never waits for an actor), within `view_timeout`; `shape` makes
/// the response of the answer. No answer in time, or the actor gone: 503.
template <class Answer = std::string, class Handle, class... Ts>
void ask_for_view(
    caf::actor_system& sys, const Handle& to, web::reply done,
    std::type_identity_t<std::function<web::response(Answer)>> shape,
    std::string what, Ts... msg) {
  sys.spawn(
      [](caf::event_based_actor* self, Handle to, web::reply done,
         std::function<web::response(Answer)> shape, std::string what,
         Ts... msg) {
        self->request(to, caf::timespan{view_timeout}, msg...)
            .then(
                [done, shape](Answer& answer) {
                  try {
                    done(shape(std::move(answer)));
                  } catch (const std::exception& e) {
                    done(web::error_response(500, e.what()));
                  }
                },
                [self, done, what](caf::error& e) {
                  done(web::error_response(503, what + " did not answer: " +
                                                    self->system().render(e)));
                });
      },
      to, std::move(done), std::move(shape), std::move(what), msg...);
}

/// Which actor a view asks.
enum class asks { member, router };

/// The running worker's actors, if the one a view asks is there; else null,
/// with a 503 saying why.
std::shared_ptr<const view_actors>
running_actors(const view_actors_slot& slot, const web::reply& done, asks who) {
  auto actors = slot.get();
  if (!actors || !actors->system) {
    done(web::error_response(503, "the worker is not running (starting or "
                                  "stopping)"));
    return nullptr;
  }
  if (who == asks::member ? !actors->member : !actors->router) {
    done(web::error_response(503, "this worker is not a Kafka worker (no "
                                  "assignment and no cluster view)"));
    return nullptr;
  }
  return actors;
}

const table_desc* find_table(const app_core& core, const std::string& name) {
  for (auto& t : core.tables)
    if (t->name == name)
      return t.get();
  return nullptr;
}

std::string table_info_json(const table_desc& t) {
  return "{\"name\": " + web::json_string(t.name) +
         ", \"help\": " + web::json_string(t.help) + "}";
}

web::response unknown_table(const std::string& name);

/// The key bytes of the path's `{key}` in the table the path's `{name}`
/// names (`t`); empty after answering 404 (no such table) or 400 (a key
/// that is not one of the table's).
std::optional<std::string> key_in_path(const app_core& core,
                                       const web::request& req,
                                       const web::reply& done,
                                       const table_desc*& t) {
  t = find_table(core, req.param("name"));
  if (!t) {
    done(unknown_table(req.param("name")));
    return std::nullopt;
  }
  if (!t->key_bytes_of_text) {
    done(web::error_response(400, "table '" + t->name +
                                      "' has no key lookups by text"));
    return std::nullopt;
  }
  try {
    return t->key_bytes_of_text(req.param("key"));
  } catch (const std::exception& e) {
    done(web::error_response(400,
                             "key of table '" + t->name + "': " + e.what()));
    return std::nullopt;
  }
}

web::response unknown_table(const std::string& name) {
  return {404, "application/json",
          "{\"error\": \"unknown table\", \"name\": " + web::json_string(name) +
              "}\n"};
}

} // namespace

std::string page_path_refused(const std::string& path) {
  if (path.empty() || path.front() != '/')
    return "a page's path starts with '/': '" + path + "'";
  auto first = path.substr(1, path.find('/', 1) - 1);
  for (const char* builtin : {"", "healthz", "readyz", "metrics", "assignment",
                              "router", "table", "dashboard"})
    if (first == builtin)
      return "'" + path + "' is a built-in view's place (/" + first + ")";
  return {};
}

std::map<std::string, web::view>
worker_views(std::shared_ptr<const app_core> core,
             std::shared_ptr<const view_actors_slot> actors) {
  std::map<std::string, web::view> views;
  views["/healthz"] =
      web::at_once([] { return json(200, "{\"alive\": true}"); });
  views["/readyz"] = web::at_once([core] {
    auto& m = core->stats;
    auto assigned = m.partitions_assigned.load(std::memory_order_relaxed);
    auto recovering = m.partitions_recovering.load(std::memory_order_relaxed);
    bool ready = recovering == 0;
    return json(
        ready ? 200 : 503,
        std::string("{\"ready\": ") + (ready ? "true" : "false") +
            ", \"partitions_assigned\": " + std::to_string(assigned) +
            ", \"partitions_recovering\": " + std::to_string(recovering) + "}");
  });
  views["/"] = web::at_once([core] { return json(200, monitor_json(*core)); });
  views["/dashboard"] = web::at_once([] {
    return web::response{200, "text/html; charset=utf-8",
                         std::string(dashboard_page())};
  });
  views["/metrics"] = web::at_once([core] {
    return web::response{200, "text/plain; version=0.0.4; charset=utf-8",
                         prometheus_metrics(*core)};
  });
  auto as_json = [](std::string answer) {
    return json(200, std::move(answer));
  };
  views["/assignment/"] = [actors, as_json](const web::request&,
                                            web::reply done) {
    auto running = running_actors(*actors, done, asks::member);
    if (!running)
      return;
    ask_for_view(*running->system, running->member, std::move(done), as_json,
                 "the cluster member", web_atom::value);
  };
  auto routes = [core, actors, as_json](const std::string& table,
                                        web::reply done) {
    if (!table.empty() && !find_table(*core, table)) {
      done(unknown_table(table));
      return;
    }
    auto running = running_actors(*actors, done, asks::router);
    if (!running)
      return;
    ask_for_view(*running->system, running->router, std::move(done), as_json,
                 "the cluster router", web_atom::value, table);
  };
  views["/router/"] = [routes](const web::request&, web::reply done) {
    routes("", std::move(done));
  };
  views["/router/{name}/"] = [routes](const web::request& req,
                                      web::reply done) {
    routes(req.param("name"), std::move(done));
  };
  views["/router/{name}/{key}/"] = [core, actors](const web::request& req,
                                                  web::reply done) {
    const table_desc* t = nullptr;
    auto key = key_in_path(*core, req, done, t);
    if (!key)
      return;
    auto partition = transport::partition_for_key(*key, t->partitions);
    auto running = running_actors(*actors, done, asks::router);
    if (!running)
      return;
    auto where = t->changelog_topic + "[" + std::to_string(partition) + "]";
    ask_for_view(
        *running->system, running->router, std::move(done),
        [where](std::string url) {
          if (url.empty())
            return web::error_response(503, "no worker serves " + where +
                                                " now (or it has no web "
                                                "server)");
          return json(200, web::json_string(url));
        },
        "the cluster router", web_atom::value, t->name, partition);
  };
  views["/table/{name}/{key}/"] = [core, actors](const web::request& req,
                                                 web::reply done) {
    const table_desc* t = nullptr;
    auto key = key_in_path(*core, req, done, t);
    if (!key)
      return;
    protocol::table_read_request read{
        t->name, transport::partition_for_key(*key, t->partitions), *key,
        req.flag("stale")};
    auto shape = [t, key_text = req.param("key")](
                     protocol::table_read_reply r) -> web::response {
      if (r.failure)
        return web::error_response(
            r.failure->code == errc::invalid_argument ? 400 : 503,
            r.failure->message);
      if (!r.value)
        return {404, "application/json",
                "{\"error\": \"key not found\", \"key\": " +
                    web::json_string(key_text) +
                    ", \"table\": " + web::json_string(t->name) + "}\n"};
      auto value = t->value_json_of_bytes ? t->value_json_of_bytes(*r.value)
                                          : web::json_string(*r.value);
      if (!r.stale)
        return json(200, value); // Faust's shape: the value itself
      return json(200, "{\"value\": " + value + ", \"stale\": true, \"lag\": " +
                           std::to_string(r.lag) + "}");
    };
    auto running = actors->get();
    if (running && running->system && !running->router) {
      // No cluster (memory://): this worker has every partition.
      done(shape(read_table_here(*core, read)));
      return;
    }
    running = running_actors(*actors, done, asks::router);
    if (!running)
      return;
    ask_for_view<protocol::table_read_reply>(
        *running->system, running->router, std::move(done), shape,
        "the cluster router", web_atom::value, std::move(read));
  };
  views["/table/"] = web::at_once([core] {
    std::string body = "[";
    for (auto& t : core->tables)
      body += (body.size() > 1 ? ", " : "") + table_info_json(*t);
    return json(200, body + "]");
  });
  views["/table/{name}/"] = web::at_once([core](const web::request& req) {
    auto* t = find_table(*core, req.param("name"));
    return t ? json(200, table_info_json(*t))
             : unknown_table(req.param("name"));
  });
  return views;
}

} // namespace faust::internal
