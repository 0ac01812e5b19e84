#include "storage/window.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace faust::storage {

namespace {

/// Python's `int()` of a float: truncation toward zero.
int64_t python_int(double d) {
  return static_cast<int64_t>(std::trunc(d));
}

window_range from_start(double start, double size) {
  return {start, start + size - 0.1}; // evaluated as Python does
}

void require_positive(double v, const char* what) {
  if (!(v > 0))
    throw std::invalid_argument(std::string("window: ") + what +
                                " must be positive, got " + std::to_string(v));
}

} // namespace

window::window(kind k, double size, double step, double before, double after,
               std::optional<double> expires)
    : kind_(k), size_(size), step_(step), before_(before), after_(after),
      expires_(expires) {
  if (expires_ && !(*expires_ > 0))
    throw std::invalid_argument("window: expires must be positive, got " +
                                std::to_string(*expires_));
}

window window::tumbling(double size, std::optional<double> expires) {
  auto w = hopping(size, size, expires);
  w.kind_ = kind::tumbling;
  return w;
}

window window::hopping(double size, double step,
                       std::optional<double> expires) {
  require_positive(size, "size");
  require_positive(step, "step");
  // Faust iterates `range(..., int(step))`: a step under one second
  // would be a zero range step there (ValueError).
  if (python_int(step) < 1)
    throw std::invalid_argument(
        "window: step must be at least 1 second (Faust truncates it to a "
        "whole number), got " +
        std::to_string(step));
  return window(kind::hopping, size, step, 0, 0, expires);
}

window window::sliding(double before, double after, double expires) {
  if (before < 0 || after < 0)
    throw std::invalid_argument("window: before and after must not be "
                                "negative");
  return window(kind::sliding, before + after, 0, before, after, expires);
}

double window::initial_start(double timestamp) const {
  double closest_step = std::floor(timestamp / step_) * step_;
  return closest_step - size_ + step_;
}

std::vector<window_range> window::ranges(double timestamp) const {
  if (kind_ == kind::sliding)
    return {current(timestamp)};
  std::vector<window_range> out;
  auto stop = python_int(timestamp) + 1;
  auto step = python_int(step_);
  for (auto s = python_int(initial_start(timestamp)); s < stop; s += step)
    out.push_back(from_start(static_cast<double>(s), size_));
  return out;
}

window_range window::current(double timestamp) const {
  if (kind_ == kind::sliding)
    return {timestamp - before_, timestamp + after_};
  double start = initial_start(timestamp);
  double m = std::floor((timestamp - start) / step_);
  return from_start(start + step_ * m, size_);
}

window_range window::earliest(double timestamp) const {
  if (kind_ == kind::sliding)
    return current(timestamp);
  return from_start(initial_start(timestamp), size_);
}

window_range window::delta(double timestamp, double d) const {
  return current(timestamp - d);
}

bool window::stale(double end, double latest) const {
  if (!expires_)
    return false;
  if (kind_ == kind::sliding)
    return end <= latest - *expires_;
  return end <= current(latest - *expires_).start;
}

} // namespace faust::storage
