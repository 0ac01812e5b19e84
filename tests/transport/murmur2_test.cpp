#include "transport/murmur2.hpp"

#include <doctest/doctest.h>

using faust::transport::murmur2;
using faust::transport::partition_for_key;

// Vectors from Kafka's UtilsTest.testMurmur2, confirmed against
// kafka-python's partitioner (the one Faust's aiokafka driver mirrors).
TEST_CASE("murmur2 matches Kafka's Java client") {
  CHECK(murmur2("21") == -973932308);
  CHECK(murmur2("foobar") == -790332482);
  CHECK(murmur2("a-little-bit-long-string") == -985981536);
  CHECK(murmur2("a-little-bit-longer-string") == -1486304829);
  CHECK(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") ==
        -58897971);
  CHECK(murmur2("abc") == 479470107);
  CHECK(murmur2("") == 275646681);
}

TEST_CASE("keys land on the partitions Java clients and Faust choose") {
  CHECK(partition_for_key("21", 8) == 4);
  CHECK(partition_for_key("foobar", 8) == 6);
  CHECK(partition_for_key("a-little-bit-long-string", 8) == 0);
  CHECK(partition_for_key("abc", 8) == 3);
  CHECK(partition_for_key("", 8) == 1);
  CHECK(partition_for_key("anything", 1) == 0);
}
