#pragma once

#include "models/message.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faust::storage {

/// The source record a change came from: a table partition records the
/// newest origin it has applied per source partition, so a change whose
/// origin it has seen (a record processed again after a crash, a duplicate
/// forward through a repartition topic) is not applied twice.
struct origin {
  models::topic_partition tp;
  int64_t offset = -1;
  bool operator==(const origin&) const = default;
};

/// The header that carries a record's origin on changelog and repartition
/// records: `<topic>/<partition>/<offset>` (Kafka topic names hold no '/').
/// Faust ignores headers it does not know, so Python workers can still
/// read these topics.
inline constexpr std::string_view origin_header = "faust-cpp-origin";

/// On a changelog record: `<index>/<count>`, its place among the records
/// one event (or one cache flush) wrote to one table partition. A reader
/// applies an event's records only once it has all of them, so a worker killed
/// halfway through producing them leaves no half-applied event behind.
inline constexpr std::string_view origin_part_header = "faust-cpp-origin-part";

/// On the changelog records of a table cache's flush, which wrote what
/// several events changed at once: `<origin>;<origin>...`, the newest
/// origin of each source partition those events came from.
inline constexpr std::string_view origins_header = "faust-cpp-origins";

std::string encode_origin(const origin& o);
/// Writes `encode_origin`'s text for `topic`/`partition`/`offset` into
/// `out` (replacing what it held, reusing its capacity).
void encode_origin_into(std::string& out, std::string_view topic,
                        int32_t partition, int64_t offset);
std::optional<origin> decode_origin(std::string_view text);
/// `origins_header`'s text for `os`, and back (nullopt if malformed).
std::string encode_origins(const std::vector<origin>& os);
std::optional<std::vector<origin>> decode_origins(std::string_view text);

/// The origin a record carries, if any.
std::optional<origin> origin_of(const models::message& m);
/// The origins a changelog record carries: those of its flush, or its
/// event's origin; empty if none (or malformed).
std::vector<origin> origins_of(const models::message& m);

/// `<index>/<count>` of `origin_part_header`.
struct origin_part {
  uint32_t index = 0;
  uint32_t count = 1;
};
std::string encode_origin_part(const origin_part& p);
std::optional<origin_part> decode_origin_part(std::string_view text);

} // namespace faust::storage
