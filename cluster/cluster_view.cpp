#include "cluster/cluster_view.hpp"

#include <algorithm>

namespace faust::cluster {

result<void> cluster_view::apply(std::string_view worker_id,
                                 const std::optional<std::string_view>& value) {
  if (!value) {
    remove(worker_id);
    return {};
  }
  auto decoded = decode(worker_id, *value);
  if (!decoded)
    return decoded.error();
  apply(std::move(*decoded));
  return {};
}

void cluster_view::apply(announcement a) {
  auto it = workers_.find(a.worker_id);
  if (it == workers_.end())
    workers_.emplace(a.worker_id, std::move(a));
  else
    it->second = std::move(a);
}

void cluster_view::remove(std::string_view worker_id) {
  if (auto it = workers_.find(worker_id); it != workers_.end())
    workers_.erase(it);
}

int32_t cluster_view::generation() const {
  int32_t newest = -1;
  for (auto& [id, a] : workers_)
    newest = std::max(newest, a.generation);
  return newest;
}

const announcement* cluster_view::find(std::string_view worker_id) const {
  auto it = workers_.find(worker_id);
  return it == workers_.end() ? nullptr : &it->second;
}

std::optional<cluster_view::ownership>
cluster_view::owner_of(const models::topic_partition& tp) const {
  std::optional<ownership> best;
  for (auto& [id, a] : workers_)
    for (auto& p : a.active)
      if (p.tp == tp) {
        // Newest generation first; within one generation (a stale record
        // of a worker that has not announced again yet) the newest record.
        if (!best || a.generation > best->worker->generation ||
            (a.generation == best->worker->generation &&
             a.written_ms > best->worker->written_ms))
          best = ownership{&a, p.state};
        break;
      }
  return best;
}

std::vector<const announcement*> cluster_view::members() const {
  auto newest = generation();
  std::vector<const announcement*> out;
  if (newest < 0)
    return out;
  for (auto& [id, a] : workers_)
    if (a.generation == newest)
      out.push_back(&a);
  return out;
}

std::vector<const announcement*>
cluster_view::standbys_of(const models::topic_partition& tp) const {
  std::vector<const announcement*> out;
  for (auto* a : members())
    if (std::find(a->standby.begin(), a->standby.end(), tp) != a->standby.end())
      out.push_back(a);
  return out;
}

} // namespace faust::cluster
