#pragma once

#include "faust/topic_options.hpp"
#include "models/serializer.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace faust::internal {

/// A declared topic or channel, untyped; typed handles point to it.
struct topic_desc {
  std::vector<std::string> names;
  int32_t partitions = 1;
  models::serializer_spec key_spec;
  models::serializer_spec value_spec;
  topic_options options;
  bool is_channel = false;

  /// The single topic name (Faust's get_topic_name); throws
  /// `std::logic_error` for a multi-name topic.
  const std::string& name() const;
};

} // namespace faust::internal
