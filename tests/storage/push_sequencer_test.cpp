// The standby's ordering of pushed changelog batches: what chains onto the
// store is applied, what the store holds is skipped, what does not chain
// waits for a topic read, and nothing is applied twice or out of order.
#include "storage/push_sequencer.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using faust::storage::push_sequencer;
using faust::storage::pushed_range;
using verdict = push_sequencer<std::string>::verdict;

namespace {

/// A standby's store: the changelog offsets it applied, in order.
struct standby {
  push_sequencer<std::string> seq{1000};
  std::vector<std::string> applied;

  verdict push(std::optional<int64_t> after, int64_t first, int64_t last) {
    auto name = std::to_string(first) + "-" + std::to_string(last);
    auto v = seq.offer({after, first, last}, std::string(name), 100);
    if (v == verdict::apply) {
      apply(name, last);
      for (auto& [range, batch] : seq.take_ready())
        apply(batch, range.last);
    }
    return v;
  }
  /// A topic read brought the store to `offset`.
  void topic_read(int64_t offset) {
    applied.push_back("topic-" + std::to_string(offset));
    seq.sync(offset);
    for (auto& [range, batch] : seq.take_ready())
      apply(batch, range.last);
  }
  void apply(const std::string& batch, int64_t last) {
    applied.push_back(batch);
    seq.applied(last);
  }
};

} // namespace

TEST_CASE("push sequencer: batches that follow each other are applied as "
          "they come, from an empty store") {
  standby s;
  s.seq.sync(-1);
  CHECK(s.push(-1, 0, 9) == verdict::apply);
  CHECK(s.push(9, 10, 19) == verdict::apply);
  CHECK(s.applied == std::vector<std::string>{"0-9", "10-19"});
  CHECK(s.seq.applied() == 19);
  CHECK_FALSE(s.seq.needs_topic_read());
}

TEST_CASE("push sequencer: what a topic read applied already is skipped") {
  standby s;
  s.topic_read(19);
  CHECK(s.push(-1, 0, 9) == verdict::duplicate);
  CHECK(s.push(9, 10, 19) == verdict::duplicate);
  CHECK(s.push(19, 20, 29) == verdict::apply);
  CHECK(s.applied == std::vector<std::string>{"topic-19", "20-29"});
  CHECK_FALSE(s.seq.needs_topic_read());
}

TEST_CASE("push sequencer: after a gap, batches wait for the topic read, "
          "which releases those that chain, in order") {
  standby s;
  s.seq.sync(9);
  // 10-19 never came (dropped on the way): 20-29 and 30-39 wait.
  CHECK(s.push(19, 20, 29) == verdict::held);
  CHECK(s.push(29, 30, 39) == verdict::held);
  CHECK(s.seq.needs_topic_read());
  CHECK(s.applied.empty());
  s.topic_read(19);
  CHECK(s.applied == std::vector<std::string>{"topic-19", "20-29", "30-39"});
  CHECK_FALSE(s.seq.needs_topic_read());
  CHECK(s.seq.held_bytes() == 0);
}

TEST_CASE("push sequencer: the missing batch arriving late releases the "
          "ones kept after it") {
  standby s;
  s.seq.sync(9);
  CHECK(s.push(19, 20, 29) == verdict::held);
  CHECK(s.push(9, 10, 19) == verdict::apply);
  CHECK(s.applied == std::vector<std::string>{"10-19", "20-29"});
  CHECK_FALSE(s.seq.needs_topic_read());
}

TEST_CASE("push sequencer: a topic read that stopped inside a batch lets "
          "the rest of it apply (a read stops between groups), and the "
          "chain goes on") {
  standby s;
  s.seq.sync(9);
  CHECK(s.push(19, 20, 29) == verdict::held);
  s.topic_read(24); // read 10..24: 20-29 overlaps; its 25..29 apply
  CHECK(s.applied == std::vector<std::string>{"topic-24", "20-29"});
  CHECK(s.seq.applied() == 29);
  CHECK_FALSE(s.seq.needs_topic_read());
  // A batch arriving after a read that passed its start applies too.
  s.topic_read(33);
  CHECK(s.push(29, 30, 39) == verdict::apply);
  CHECK(s.push(39, 40, 49) == verdict::apply);
  CHECK(s.applied == std::vector<std::string>{"topic-24", "20-29", "topic-33",
                                              "30-39", "40-49"});
  // One that does not reach what the store holds still waits.
  CHECK(s.push(59, 60, 69) == verdict::held);
  CHECK(s.seq.needs_topic_read());
}

TEST_CASE("push sequencer: the first batch after a takeover (it follows an "
          "unknown offset) waits, and the chain resumes after a read") {
  standby s;
  s.seq.sync(9);
  CHECK(s.push(std::nullopt, 20, 29) == verdict::held);
  CHECK(s.push(29, 30, 39) == verdict::held);
  s.topic_read(29);
  CHECK(s.applied == std::vector<std::string>{"topic-29", "30-39"});
}

TEST_CASE("push sequencer: under exactly_once the chain spans transaction "
          "markers (after names the previous batch's last record)") {
  standby s;
  s.seq.sync(-1);
  CHECK(s.push(-1, 0, 9) == verdict::apply);
  // Offset 10 is the commit marker: the next batch starts at 11.
  CHECK(s.push(9, 11, 20) == verdict::apply);
  CHECK(s.push(20, 22, 30) == verdict::apply);
  CHECK(s.seq.applied() == 30);
  CHECK_FALSE(s.seq.needs_topic_read());
}

TEST_CASE("push sequencer: past its bound it drops what it keeps and asks "
          "for a topic read") {
  push_sequencer<std::string> seq(250);
  seq.sync(9);
  CHECK(seq.offer({19, 20, 29}, "a", 100) == verdict::held);
  CHECK(seq.offer({29, 30, 39}, "b", 100) == verdict::held);
  CHECK(seq.offer({39, 40, 49}, "c", 100) == verdict::dropped);
  CHECK(seq.held_batches() == 0);
  CHECK(seq.held_bytes() == 0);
  CHECK(seq.dropped() == 3);
  CHECK(seq.needs_topic_read());
  // The read covers them; what comes after chains again.
  seq.sync(49);
  CHECK_FALSE(seq.needs_topic_read());
  CHECK(seq.offer({49, 50, 59}, "d", 100) == verdict::apply);
}

TEST_CASE("push sequencer: reset forgets everything kept") {
  push_sequencer<std::string> seq(1000);
  seq.sync(9);
  CHECK(seq.offer({19, 20, 29}, "a", 100) == verdict::held);
  seq.reset();
  CHECK(seq.held_batches() == 0);
  CHECK(seq.applied() == -1);
  CHECK_FALSE(seq.needs_topic_read());
}
