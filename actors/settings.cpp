#include "actors/settings.hpp"

namespace faust {

std::string app_settings::app_id() const {
  return version > 1 ? id + "-v" + std::to_string(version) : id;
}

} // namespace faust
