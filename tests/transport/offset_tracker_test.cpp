#include "transport/offset_tracker.hpp"

#include <doctest/doctest.h>

using faust::transport::offset_tracker;

TEST_CASE("an offset is done only when every receiving stream acked it") {
  offset_tracker t{10};
  t.delivered(10, 2); // two streams received offset 10
  t.delivered(11, 2);
  CHECK(t.pending() == 2);
  CHECK(t.ack(10));
  CHECK(t.watermark() == 10);
  CHECK_FALSE(t.take_commit().has_value());
  CHECK(t.ack(10));
  CHECK(t.watermark() == 11);
  CHECK(t.take_commit() == 11);
  CHECK_FALSE(t.take_commit().has_value());
}

TEST_CASE("a gap in acks holds back later offsets") {
  offset_tracker t{0};
  for (int64_t o = 0; o < 4; ++o)
    t.delivered(o, 1);
  CHECK(t.ack(1));
  CHECK(t.ack(2));
  CHECK(t.watermark() == 0); // offset 0 still in flight
  CHECK(t.ack(0));
  CHECK(t.watermark() == 3);
  CHECK(t.ack(3));
  CHECK(t.watermark() == 4);
  CHECK(t.pending() == 0);
}

TEST_CASE("duplicate and unknown acks change nothing") {
  offset_tracker t{5};
  t.delivered(5, 1);
  CHECK(t.ack(5));
  CHECK_FALSE(t.ack(5));
  CHECK_FALSE(t.ack(4));
  CHECK_FALSE(t.ack(99));
  CHECK(t.watermark() == 6);
}

TEST_CASE("records nobody subscribed to and offset gaps count as done") {
  offset_tracker t{0};
  t.delivered(0, 0);
  CHECK(t.watermark() == 1);
  t.delivered(5, 1); // offsets 1..4 compacted away
  CHECK(t.watermark() == 5);
  CHECK(t.ack(5));
  CHECK(t.watermark() == 6);
}
