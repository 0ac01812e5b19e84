#pragma once

#include <string>

namespace faust {

/// A random (version 4) UUID in canonical text form, as Python's
/// `str(uuid.uuid4())`, for correlation ids and reply topic names.
std::string uuid4();

} // namespace faust
