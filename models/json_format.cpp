#include "models/json_format.hpp"

#include <simdjson.h>

#include <memory>

namespace faust::models {

// --- writing -------------------------------------------------------------

void json_value_writer::before_value() {
  if (need_separator_)
    text_.separator();
}

void json_value_writer::null() {
  before_value();
  text_.null();
  need_separator_ = true;
}
void json_value_writer::boolean(bool b) {
  before_value();
  text_.boolean(b);
  need_separator_ = true;
}
void json_value_writer::integer(int64_t i) {
  before_value();
  text_.integer(i);
  need_separator_ = true;
}
void json_value_writer::unsigned_integer(uint64_t u) {
  before_value();
  text_.unsigned_integer(u);
  need_separator_ = true;
}
void json_value_writer::floating(double d) {
  before_value();
  text_.floating(d);
  need_separator_ = true;
}
void json_value_writer::string(std::string_view s) {
  before_value();
  text_.string(s);
  need_separator_ = true;
}
void json_value_writer::binary(std::string_view) {
  // JSON has no bytes; Python's json.dumps would refuse them.
  string("<binary>");
}
void json_value_writer::begin_array(size_t) {
  before_value();
  text_.begin_array();
  need_separator_ = false;
}
void json_value_writer::end_array() {
  text_.end_array();
  need_separator_ = true;
}
void json_value_writer::begin_object(size_t) {
  before_value();
  text_.begin_object();
  need_separator_ = false;
}
void json_value_writer::key(std::string_view name) {
  before_value();
  text_.key(name);
  need_separator_ = false;
}
void json_value_writer::end_object() {
  text_.end_object();
  need_separator_ = true;
}

// --- reading -------------------------------------------------------------

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

element el(value_ref v) {
  return v.unwrap<element>();
}

class simdjson_reader final : public value_reader {
public:
  value_kind kind(value_ref v) const override {
    switch (el(v).type()) {
    case element_type::ARRAY:
      return value_kind::array;
    case element_type::OBJECT:
      return value_kind::object;
    case element_type::INT64:
    case element_type::UINT64:
      return value_kind::integer;
    case element_type::DOUBLE:
      return value_kind::floating;
    case element_type::STRING:
      return value_kind::string;
    case element_type::BOOL:
      return value_kind::boolean;
    case element_type::NULL_VALUE:
      return value_kind::null;
    }
    return value_kind::null;
  }
  bool get(value_ref v, bool& out) const override { return !el(v).get(out); }
  bool get(value_ref v, int64_t& out) const override { return !el(v).get(out); }
  bool get(value_ref v, uint64_t& out) const override {
    return !el(v).get(out);
  }
  bool get(value_ref v, double& out) const override { return !el(v).get(out); }
  bool get(value_ref v, std::string_view& out) const override {
    return !el(v).get(out);
  }
  bool for_each_element(value_ref v,
                        function_ref<void(value_ref)> fn) const override {
    simdjson::dom::array arr;
    if (el(v).get(arr))
      return false;
    for (element item : arr)
      fn(value_ref::wrap(item));
    return true;
  }
  bool for_each_member(
      value_ref v,
      function_ref<void(std::string_view, value_ref)> fn) const override {
    simdjson::dom::object obj;
    if (el(v).get(obj))
      return false;
    for (auto [key, value] : obj)
      fn(key, value_ref::wrap(value));
    return true;
  }
  bool find_member(value_ref v, std::string_view key,
                   value_ref& out) const override {
    simdjson::dom::object obj;
    element found;
    if (el(v).get(obj) || obj.at_key(key).get(found))
      return false;
    out = value_ref::wrap(found);
    return true;
  }
};

const simdjson_reader reader{};

/// Parsers own reusable buffers: one per thread, plus fresh ones when a
/// visitor parses again while its document is still in use.
thread_local int parse_depth = 0;

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

bool parse(std::string_view text, document_visitor visit, bool throw_error) {
  std::unique_ptr<simdjson::dom::parser> nested;
  auto* parser = &thread_parser();
  if (parse_depth > 0) {
    nested = std::make_unique<simdjson::dom::parser>();
    parser = nested.get();
  }
  element root;
  if (auto err = parser->parse(text.data(), text.size()).get(root)) {
    if (!throw_error)
      return false;
    throw decode_error(std::string("malformed JSON: ") +
                       simdjson::error_message(err));
  }
  struct depth_guard {
    depth_guard() { ++parse_depth; }
    ~depth_guard() { --parse_depth; }
  } guard;
  visit(reader, value_ref::wrap(root));
  return true;
}

} // namespace

void read_json(std::string_view text, document_visitor visit) {
  parse(text, visit, true);
}

bool try_read_json(std::string_view text, document_visitor visit) {
  return parse(text, visit, false);
}

} // namespace faust::models
