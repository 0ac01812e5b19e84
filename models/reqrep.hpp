#pragma once

#include "models/json_format.hpp"
#include "models/message.hpp"
#include "models/serializer.hpp"

#include <optional>
#include <string>
#include <string_view>

/// Faust's agent RPC wire format (faust/agents/models.py): requests and
/// replies are JSON records, whatever the topic's serializer.
///
///     request: {"value": <v>, "reply_to": "f-reply-<uuid>",
///               "correlation_id": "<uuid>", "__faust": {"ns":
///               "@ReqRepRequest"}}
///     reply:   {"key": <request key>, "value": <v>, "correlation_id":
///     "<uuid>",
///               "__faust": {"ns": "@ReqRepResponse"}}
///
/// When the value is a record, Faust uses the model variants, whose
/// namespaces are the class paths below. With `use_reply_headers` the
/// request is the plain value plus `Faust-Ag-ReplyTo` and
/// `Faust-Ag-CorrelationId` headers.
namespace faust::reqrep {

inline constexpr std::string_view request_ns = "@ReqRepRequest";
inline constexpr std::string_view model_request_ns =
    "faust.agents.models.ModelReqRepRequest";
inline constexpr std::string_view response_ns = "@ReqRepResponse";
inline constexpr std::string_view model_response_ns =
    "faust.agents.models.ModelReqRepResponse";
inline constexpr std::string_view reply_to_header = "Faust-Ag-ReplyTo";
inline constexpr std::string_view correlation_id_header =
    "Faust-Ag-CorrelationId";

template <class T> constexpr bool json_encodable_v = models::is_codable_v<T>;

/// Writes `value` as JSON, or throws for types JSON cannot carry.
template <class T>
void encode_json_field(models::value_writer& w, const T& value) {
  if constexpr (json_encodable_v<T>)
    models::write_value(w, value);
  else
    throw models::encode_error("agent RPC needs JSON-encodable values, got a "
                               "type with no JSON encoding");
}

/// Writes `"correlation_id": ..., "__faust": {"ns": ...}}`: the common end
/// of both envelopes.
void end_envelope(models::value_writer& w, std::string_view correlation_id,
                  std::string_view ns);

template <class V>
std::string encode_request(const V& value, std::string_view reply_to,
                           std::string_view correlation_id) {
  std::string out;
  models::json_value_writer w(out);
  w.begin_object(4);
  w.key("value");
  encode_json_field(w, value);
  w.key("reply_to");
  w.string(reply_to);
  end_envelope(w, correlation_id,
               models::record<V> ? model_request_ns : request_ns);
  return out;
}

template <class K, class R>
std::string encode_response(const std::optional<K>& key, const R& value,
                            std::string_view correlation_id) {
  std::string out;
  models::json_value_writer w(out);
  w.begin_object(4);
  w.key("key");
  if constexpr (json_encodable_v<K>) {
    if (key)
      models::write_value(w, *key);
    else
      w.null();
  } else {
    w.null();
  }
  w.key("value");
  encode_json_field(w, value);
  end_envelope(w, correlation_id,
               models::record<R> ? model_response_ns : response_ns);
  return out;
}

/// True when `ns` names a request envelope.
inline bool is_request_ns(std::string_view ns) {
  return ns == request_ns || ns == model_request_ns;
}

/// If `root` is a request envelope, stores its reply address and returns its
/// "value" element; otherwise returns `root`.
models::value_ref unwrap_request(const models::value_reader& r,
                                 models::value_ref root, std::string& reply_to,
                                 std::string& correlation_id);

/// Decodes the value of `m` with `spec` into `out`. A request envelope is
/// unwrapped (its reply address lands in `reply_to`/`correlation_id`), as
/// are Faust's reply headers. Channel records carry the object itself.
/// Throws `models::decode_error`.
template <class V>
void decode_value(const models::serializer_spec& spec, const models::message& m,
                  V& out, std::string& reply_to, std::string& correlation_id) {
  if (auto h = m.find_header(reply_to_header)) {
    reply_to = *h;
    if (auto c = m.find_header(correlation_id_header))
      correlation_id = *c;
  }
  if (m.value_object.has_value()) {
    out = std::any_cast<const V&>(m.value_object);
    return;
  }
  if (!m.value) {
    if constexpr (models::is_std_optional<V>::value) {
      out.reset();
      return;
    } else {
      throw models::decode_error("value is null (a tombstone), expected " +
                                 models::type_label<V>());
    }
  }
  std::string_view bytes = *m.value;
  // Requests are JSON whatever the topic's serializer (Faust: a model's own
  // serializer wins), so JSON-looking payloads are checked for the envelope.
  bool json_topic = spec.format == models::object_format::json;
  if constexpr (models::is_codable_v<V>) {
    if (json_topic || (!bytes.empty() && bytes.front() == '{')) {
      std::string scratch;
      auto payload = json_topic ? spec.decode_bytes(bytes, scratch)
                                : std::string_view(bytes);
      // Only an object can be an envelope: a number or a string decodes
      // without the parser where it can (`from_json`'s plain forms).
      auto first = payload.find_first_not_of(" \t\r\n");
      if (json_topic && first != std::string_view::npos &&
          payload[first] != '{') {
        out = models::from_json<V>(payload);
        return;
      }
      bool decoded = false;
      auto visit = [&](const models::value_reader& r, models::value_ref root) {
        auto value = unwrap_request(r, root, reply_to, correlation_id);
        if (json_topic || !reply_to.empty()) {
          static const std::string label = models::type_label<V>();
          models::read_value(r, value, out,
                             models::decode_path{nullptr, label});
          decoded = true;
        }
      };
      if (json_topic) {
        models::read_json(payload, visit);
        return;
      }
      if (models::try_read_json(payload, visit) && decoded)
        return;
    }
  }
  out = models::loads<V>(spec, bytes);
}

/// Decodes the key of `m`; empty for a null key.
template <class K>
std::optional<K> decode_key(const models::serializer_spec& spec,
                            const models::message& m) {
  if (m.key_object.has_value())
    return std::any_cast<const K&>(m.key_object);
  if (!m.key)
    return std::nullopt;
  return models::loads<K>(spec, *m.key);
}

} // namespace faust::reqrep
