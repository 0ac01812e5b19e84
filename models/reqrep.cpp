#include "models/reqrep.hpp"

namespace faust::reqrep {

void end_envelope(models::value_writer& w, std::string_view correlation_id,
                  std::string_view ns) {
  w.key("correlation_id");
  w.string(correlation_id);
  w.key("__faust");
  w.begin_object(1);
  w.key("ns");
  w.string(ns);
  w.end_object();
  w.end_object();
}

models::value_ref unwrap_request(const models::value_reader& r,
                                 models::value_ref root, std::string& reply_to,
                                 std::string& correlation_id) {
  models::value_ref meta, ns_value;
  std::string_view ns;
  if (!r.find_member(root, "__faust", meta) ||
      !r.find_member(meta, "ns", ns_value) || !r.get(ns_value, ns) ||
      !is_request_ns(ns))
    return root;
  models::value_ref field;
  std::string_view text;
  if (r.find_member(root, "reply_to", field) && r.get(field, text))
    reply_to.assign(text);
  if (r.find_member(root, "correlation_id", field) && r.get(field, text))
    correlation_id.assign(text);
  models::value_ref value;
  if (!r.find_member(root, "value", value))
    throw models::decode_error("request envelope has no \"value\"");
  return value;
}

} // namespace faust::reqrep
