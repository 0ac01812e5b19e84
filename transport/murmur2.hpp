#pragma once

#include <cstdint>
#include <string_view>

namespace faust::transport {

/// Kafka's murmur2 hash (seed 0x9747b28c), bit-identical to the Java
/// client's `Utils.murmur2` and to the partitioner Faust uses.
int32_t murmur2(std::string_view key) noexcept;

/// The partition Kafka's Java client (and Faust, and librdkafka's
/// `murmur2_random` partitioner) chooses for a non-null key.
int32_t partition_for_key(std::string_view key, int32_t partitions) noexcept;

} // namespace faust::transport
