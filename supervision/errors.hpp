#pragma once

#include "models/error.hpp"

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace faust::supervision {

/// Exit reasons of faust-cpp actors are `faust::errc` codes in the CAF error
/// category "faust", with the message as context.
using faust::errc;

/// An exit reason with our category and a human-readable context.
caf::error make_error(errc code, std::string context);
/// The same for an `error` value.
caf::error make_error(const faust::error& err);

/// Our code of `err`, if it is in the "faust" category.
std::optional<errc> code_of(const caf::error& err);

/// `err` as an `error` value: ours as it is, CAF's with `fallback` as code.
faust::error to_error(const caf::error& err, errc fallback);

/// Renders any CAF error readably (CAF 0.17 prints our codes as numbers).
std::string describe(const caf::error& err);

} // namespace faust::supervision
