// The manual's page-views tutorial (Tables and Windowing): app id
// `page_views`, topic `page_views` with JSON values `{"id": str, "user":
// str}`; the agent `count_page_views` repartitions the views by page id
// (group_by) and counts them into the table `page_views` (default 0), whose
// changelog is the compacted topic `page_views-page_views-changelog`.
//
//   build/bin/page_views            demo: sample views on an embedded broker
//   build/bin/page_views worker --broker kafka://127.0.0.1:9092
//       --datadir /var/lib/page_views --processing-guarantee exactly_once
//                                   a worker (one command line)
//   build/bin/page_views tables     the table, its partitions, store, size
//
// Feed a worker from any Kafka client, e.g. with kcat:
//   echo '{"id": "home", "user": "ann"}' | kcat -b 127.0.0.1:9092 -P -t
//   page_views
// and read the counts back from the changelog:
//   kcat -b 127.0.0.1:9092 -C -t page_views-page_views-changelog -o beginning
#include <faust/app.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

struct PageView {
  std::string id;
  std::string user;
};
FAUST_RECORD_NS(PageView, "page_views.PageView", id, user);

int main(int argc, char** argv) {
  faust::app app{
      {.id = "page_views", .broker = "embedded://", .topic_partitions = 4}};
  // The app owns its input topic: it creates it with 4 partitions.
  auto page_view_topic =
      app.topic<std::string, PageView>("page_views", {.internal = true});
  auto page_views = app.table<std::string, int64_t>(
      "page_views", 0, {.help = "Page views by page id"});

  app.agent(
      "count_page_views", page_view_topic.stream().group_by(&PageView::id),
      [page_views](
          faust::stream<std::string, PageView>& views) -> faust::agent_task<> {
        while (auto view = co_await views.next())
          page_views[view->id] += 1;
      },
      {.help = "Count page views by page id"});

  if (argc > 1)
    return app.main(argc, argv);

  // Demo: sample views (keyed by user, so one page's views arrive on
  // several partitions), counted per page after the repartition.
  app.start();
  const char* pages[] = {"home", "about", "pricing", "docs", "blog"};
  const char* users[] = {"ann", "bob", "cid", "dee"};
  for (int i = 0; i < 100; ++i) {
    // home and about get 29 views each, the others 14.
    const char* page = pages[(i % 7) % 5];
    const char* user = users[i % 4];
    if (auto sent = page_view_topic.send(user, PageView{page, user}); !sent) {
      std::fprintf(stderr, "send failed: %s\n", sent.error().message.c_str());
      app.stop();
      return 1;
    }
  }
  bool done = app.wait_until_idle(std::chrono::seconds{60});
  auto counts = page_views.items();
  std::sort(counts.begin(), counts.end());
  int64_t total = 0;
  for (auto& [page, count] : counts) {
    std::printf("%-8s %lld\n", page.c_str(), static_cast<long long>(count));
    total += count;
  }
  std::printf("total    %lld\n", static_cast<long long>(total));
  // How the counts were made durable (F_PROCESSING_GUARANTEE=exactly_once:
  // through Kafka transactions).
  const auto& guarantee = app.settings().processing_guarantee;
  if (guarantee == "exactly_once")
    std::printf("guarantee exactly_once, %s\n",
                app.monitor().transactions_committed > 0
                    ? "transactions committed"
                    : "no transaction committed");
  else
    std::printf("guarantee %s\n", guarantee.c_str());
  app.stop();
  return done ? 0 : 1;
}
