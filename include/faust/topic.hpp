#pragma once

#include "faust/detail/core_access.hpp"
#include "faust/detail/topic_desc.hpp"
#include "faust/topic_options.hpp"
#include "models/serializer.hpp"

#include <any>
#include <memory>
#include <optional>
#include <string>

namespace faust {

template <class K, class V> class stream_spec;

/// A typed handle to a topic (Faust's `app.topic(...)`): names, key and
/// value types, serializers, partitions. Cheap to copy. Made by `app.topic`.
template <class K, class V> class topic {
public:
  using key_type = K;
  using value_type = V;

  topic(std::shared_ptr<internal::app_core> core,
        std::shared_ptr<internal::topic_desc> desc)
      : core_(std::move(core)), desc_(std::move(desc)) {}

  /// The topic's single name; throws `std::logic_error` for several names.
  const std::string& name() const { return desc_->name(); }
  const std::vector<std::string>& names() const { return desc_->names; }
  int32_t partitions() const { return desc_->partitions; }
  const models::serializer_spec& key_serializer() const {
    return desc_->key_spec;
  }
  const models::serializer_spec& value_serializer() const {
    return desc_->value_spec;
  }
  bool is_channel() const { return desc_->is_channel; }

  /// Serializes and sends one record (to the first name). Errors (an
  /// unknown topic, a value the serializer cannot encode) come back as
  /// `error`, not exceptions.
  result<transport::record_metadata> send(std::optional<K> key, V value,
                                          send_options opts = {}) const {
    if (desc_->is_channel)
      return internal::send_objects(
          *core_, *desc_, key ? std::any(std::move(*key)) : std::any(),
          std::any(std::move(value)), opts);
    std::optional<std::string> key_bytes;
    std::string value_bytes;
    try {
      if (key)
        key_bytes = models::dumps(desc_->key_spec, *key);
      value_bytes = models::dumps(desc_->value_spec, value);
    } catch (const std::exception& e) {
      return internal::encode_failed(*desc_, e.what());
    }
    return internal::send_encoded(*core_, *desc_, std::move(key_bytes),
                                  std::move(value_bytes), opts);
  }

  /// Sends a value with no key.
  result<transport::record_metadata> send(V value) const {
    return send(std::nullopt, std::move(value));
  }

  /// A stream over this topic, to give to an agent.
  stream_spec<K, V> stream() const;

  const std::shared_ptr<internal::topic_desc>& desc_ptr() const {
    return desc_;
  }
  const std::shared_ptr<internal::app_core>& core_ptr() const { return core_; }

private:
  std::shared_ptr<internal::app_core> core_;
  std::shared_ptr<internal::topic_desc> desc_;
};

/// An in-process channel (Faust's `app.channel()`): like a topic, but
/// values are handed over as objects, without serialization.
template <class K, class V> using channel = topic<K, V>;

} // namespace faust
