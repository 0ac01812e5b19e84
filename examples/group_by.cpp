// The manual's group_by example (Streams chapter): withdrawals repartitioned
// by account, so every account's withdrawals reach the same agent instance,
// which keeps a running total per account.
//
//   build/bin/group_by                 runs sample withdrawals in-process
//   build/bin/group_by worker          runs the worker
#include <faust/app.hpp>

#include <cstdio>
#include <map>
#include <string>

struct Withdrawal {
  std::string user;
  std::string account;
  double amount = 0;
};
FAUST_RECORD_NS(Withdrawal, "examples.group_by.Withdrawal", user, account,
                amount);

int main(int argc, char** argv) {
  faust::app app{
      {.id = "group-by-example", .broker = "memory://", .topic_partitions = 4}};
  auto withdrawals = app.topic<std::string, Withdrawal>("withdrawals");

  std::map<std::string, double> totals; // owned by the one instance
  app.agent("process", withdrawals.stream().group_by(&Withdrawal::account),
            [&totals](faust::stream<std::string, Withdrawal>& stream)
                -> faust::agent_task<> {
              while (auto ev = co_await stream.next_event()) {
                totals[*ev->key] += ev->value.amount;
                std::printf("%s[%d] account=%s amount=%.2f total=%.2f\n",
                            ev->topic().c_str(), ev->partition(),
                            ev->key->c_str(), ev->value.amount,
                            totals[*ev->key]);
              }
            });

  if (argc > 1)
    return app.main(argc, argv);

  app.start();
  // Keyed by user: the same account arrives on several partitions.
  const char* users[] = {"ann", "bob", "cid"};
  for (int i = 0; i < 9; ++i)
    (void)withdrawals.send(
        users[i % 3],
        Withdrawal{users[i % 3], i % 2 ? "acc-1" : "acc-2", 10.0 * (i + 1)});
  bool done = app.wait_until_idle(std::chrono::seconds{10});
  std::fflush(stdout);
  app.stop();
  for (auto& [account, total] : totals)
    std::printf("total %s %.2f\n", account.c_str(), total);
  return done ? 0 : 1;
}
