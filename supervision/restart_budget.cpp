#include "supervision/restart_budget.hpp"

namespace faust::supervision {

bool restart_budget::try_restart(clock::time_point now) {
  while (!times_.empty() && now - times_.front() >= limits_.period)
    times_.pop_front();
  if (times_.size() >= limits_.max_restarts)
    return false;
  times_.push_back(now);
  return true;
}

} // namespace faust::supervision
