#include "supervision/errors.hpp"

#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace faust::supervision {

std::string to_string(errc x) {
  switch (x) {
  case errc::agent_crashed:
    return "agent_crashed";
  case errc::too_many_restarts:
    return "too_many_restarts";
  case errc::child_crashed:
    return "child_crashed";
  }
  return "unknown";
}

caf::error make_error(errc code, std::string context) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("faust"),
                    caf::make_message(std::move(context))};
}

std::string describe(const caf::error& err) {
  if (!err)
    return "normal";
  std::string text;
  if (err.category() == caf::atom("faust"))
    text = to_string(static_cast<errc>(err.code()));
  else
    text = caf::to_string(err);
  if (err.category() == caf::atom("faust") && !err.context().empty() &&
      err.context().match_elements<std::string>())
    text += ": " + err.context().get_as<std::string>(0);
  return text;
}

} // namespace faust::supervision
