#pragma once

#include "models/record.hpp"

#include <cstdint>

/// The manual's `Add` record (examples/agent.py), shared by the actor tests.
struct Add {
  int64_t a = 0;
  int64_t b = 0;
};
FAUST_RECORD_NS(Add, "examples.agent.Add", a, b);
