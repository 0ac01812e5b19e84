#include "actors/reqrep.hpp"

namespace faust::reqrep {

simdjson::dom::element unwrap_request(simdjson::dom::element root,
                                      std::string& reply_to,
                                      std::string& correlation_id) {
  simdjson::dom::object obj;
  if (root.get(obj))
    return root;
  simdjson::dom::element meta;
  if (obj.at_key("__faust").get(meta))
    return root;
  std::string_view ns;
  if (meta.at_key("ns").get(ns) || !is_request_ns(ns))
    return root;
  std::string_view rt, cid;
  if (!obj.at_key("reply_to").get(rt))
    reply_to.assign(rt);
  if (!obj.at_key("correlation_id").get(cid))
    correlation_id.assign(cid);
  simdjson::dom::element value;
  if (obj.at_key("value").get(value))
    throw models::decode_error("request envelope has no \"value\"");
  return value;
}

} // namespace faust::reqrep
