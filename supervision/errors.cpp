#include "supervision/errors.hpp"

#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace faust::supervision {

namespace {
const auto category = caf::atom("faust");

std::string context_of(const caf::error& err) {
  if (!err.context().empty() && err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return {};
}
} // namespace

caf::error make_error(errc code, std::string context) {
  return caf::error{static_cast<uint8_t>(code), category,
                    caf::make_message(std::move(context))};
}

caf::error make_error(const faust::error& err) {
  return make_error(err.code, err.message);
}

std::optional<errc> code_of(const caf::error& err) {
  if (!err || err.category() != category)
    return std::nullopt;
  return static_cast<errc>(err.code());
}

faust::error to_error(const caf::error& err, errc fallback) {
  if (auto code = code_of(err))
    return {*code, context_of(err)};
  return {fallback, caf::to_string(err)};
}

std::string describe(const caf::error& err) {
  if (!err)
    return "normal";
  if (auto code = code_of(err)) {
    std::string text(to_string(*code));
    if (auto context = context_of(err); !context.empty())
      text += ": " + context;
    return text;
  }
  return caf::to_string(err);
}

} // namespace faust::supervision
