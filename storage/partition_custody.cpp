#include "storage/partition_custody.hpp"

#include <stdexcept>
#include <string>

namespace faust::storage {

namespace {

[[noreturn]] void refuse(const char* event, partition_custody::role r) {
  throw std::logic_error(std::string("table partition: ") + event + " while " +
                         std::string(partition_custody::name(r)));
}

} // namespace

std::string_view partition_custody::name(role r) {
  switch (r) {
  case role::unassigned:
    return "unassigned";
  case role::standby:
    return "standby";
  case role::recovering:
    return "recovering";
  case role::active:
    return "active";
  case role::lent:
    return "lent";
  case role::handing_over:
    return "handing over";
  }
  return "?";
}

bool partition_custody::follow() {
  if (role_ == role::unassigned)
    role_ = role::standby;
  return role_ == role::standby;
}

bool partition_custody::unfollow() {
  if (role_ != role::standby)
    return false;
  role_ = role::unassigned;
  return true;
}

uint64_t partition_custody::assign() {
  if (assigned())
    return generation_;
  if (role_ == role::handing_over)
    refuse("assigned", role_);
  role_ = role::recovering;
  return ++generation_;
}

bool partition_custody::recovered(uint64_t generation) {
  if (generation != generation_ || role_ != role::recovering)
    return false;
  role_ = role::active;
  return true;
}

void partition_custody::lend() {
  if (role_ != role::active)
    refuse("lent", role_);
  role_ = role::lent;
}

bool partition_custody::returned() {
  switch (role_) {
  case role::lent:
    role_ = role::active;
    return false;
  case role::handing_over:
    return true;
  default:
    refuse("given back", role_);
  }
}

partition_custody::on_revoke partition_custody::revoke() {
  auto before = role_;
  switch (before) {
  case role::unassigned:
  case role::standby:
  case role::handing_over:
    return on_revoke::nothing;
  case role::recovering:
    ++generation_;
    role_ = role::standby;
    return on_revoke::abandon_recovery;
  case role::active:
  case role::lent:
    ++generation_;
    role_ = role::handing_over;
    return before == role::active ? on_revoke::hand_over : on_revoke::recall;
  }
  return on_revoke::nothing;
}

void partition_custody::handed_over(bool keep) {
  if (role_ != role::handing_over)
    refuse("handed over", role_);
  role_ = keep ? role::standby : role::unassigned;
}

} // namespace faust::storage
