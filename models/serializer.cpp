#include "models/serializer.hpp"

#include <stdexcept>

namespace faust::models {

std::string_view to_string(object_format f) {
  switch (f) {
  case object_format::raw:
    return "raw";
  case object_format::json:
    return "json";
  case object_format::msgpack:
    return "msgpack";
  case object_format::protobuf:
    return "protobuf";
  }
  return "?";
}

std::string serializer_spec::encode_bytes(std::string bytes) const {
  for (auto& c : transforms)
    bytes = c->dumps(bytes);
  return bytes;
}

std::string_view serializer_spec::decode_bytes(std::string_view bytes,
                                               std::string& scratch) const {
  if (transforms.empty())
    return bytes;
  scratch.assign(bytes);
  for (auto it = transforms.rbegin(); it != transforms.rend(); ++it)
    scratch = (*it)->loads(scratch);
  return scratch;
}

codec_registry::codec_registry() {
  codecs_.emplace("binary", std::make_shared<base64_codec>());
}

void codec_registry::register_codec(std::string name, codec_ptr c) {
  codecs_[std::move(name)] = std::move(c);
}

codec_ptr codec_registry::find(std::string_view name) const {
  auto it = codecs_.find(name);
  return it == codecs_.end() ? nullptr : it->second;
}

namespace {

std::optional<object_format> format_named(std::string_view name) {
  if (name == "raw")
    return object_format::raw;
  if (name == "json")
    return object_format::json;
  if (name == "msgpack")
    return object_format::msgpack;
  if (name == "protobuf")
    return object_format::protobuf;
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  return s;
}

} // namespace

serializer_spec codec_registry::parse(std::string_view text) const {
  serializer_spec spec;
  spec.name = std::string(text);
  bool first = true;
  size_t start = 0;
  while (start <= text.size()) {
    auto bar = text.find('|', start);
    auto part = trim(text.substr(start, bar == std::string_view::npos
                                            ? std::string_view::npos
                                            : bar - start));
    if (auto fmt = format_named(part)) {
      if (!first && *fmt != object_format::raw)
        throw std::invalid_argument("serializer '" + std::string(text) +
                                    "': object format '" + std::string(part) +
                                    "' must come first in the chain");
      if (first)
        spec.format = *fmt;
    } else if (auto c = find(part)) {
      spec.transforms.push_back(c);
    } else {
      throw std::invalid_argument("serializer '" + std::string(text) +
                                  "': unknown codec '" + std::string(part) +
                                  "'");
    }
    first = false;
    if (bar == std::string_view::npos)
      break;
    start = bar + 1;
  }
  return spec;
}

} // namespace faust::models
