#include "actors/internal/messages.hpp"
#include "actors/internal/runtime_actors.hpp"
#include "actors/internal/user_hook.hpp"
#include "faust/detail/table_desc.hpp"
#include "supervision/errors.hpp"
#include "supervision/failure.hpp"
#include "supervision/logger.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace faust::internal {

namespace {

using std::chrono::milliseconds;

struct table_manager_state {
  std::shared_ptr<app_core> core;
  /// One actor per table partition.
  std::map<std::pair<const table_desc*, int32_t>, table_partition_api>
      partitions;
  /// Standbys start with the first assignment (before it, every partition
  /// may still come here).
  bool assigned_once = false;
  /// The standby placement, once the cluster view gave one.
  std::optional<std::set<models::topic_partition>> placement;
  static inline const char* name = "faust.table_manager";
};

using table_manager_actor =
    table_manager_api::stateful_pointer<table_manager_state>;

/// The table partitions co-partitioned with `tps`.
std::set<std::pair<const table_desc*, int32_t>>
table_partitions_of(const app_core& core,
                    const std::vector<models::topic_partition>& tps) {
  std::set<std::pair<const table_desc*, int32_t>> out;
  for (auto& table : core.tables)
    for (auto& tp : tps)
      if (core.co_partitioned(*table, tp))
        out.insert({table.get(), tp.partition});
  return out;
}

/// Replies to a request once every partition actor asked has answered.
struct fan_in {
  caf::typed_response_promise<bool> promise;
  size_t left = 0;
  bool ok = true;
  uint64_t partitions = 0;
  uint64_t read = 0;
  uint64_t applied = 0;
  milliseconds took{0};
  std::set<table_desc*> tables;
};

void recovered(table_manager_state& st, const std::shared_ptr<fan_in>& f) {
  if (f->ok && f->partitions > 0)
    faust::log().info("recovery done: {} table partitions, {} changelog "
                      "records read, {} applied, in {} ms",
                      f->partitions, f->read, f->applied, f->took.count());
  if (f->ok)
    for (auto* t : f->tables)
      if (t->options.on_recover)
        run_user_hook("table '" + t->name + "': on_recover",
                      t->options.on_recover, st.core->stats.hook_errors);
  f->promise.deliver(f->ok);
}

/// Asks each of `actors` to hand its partition over; true once all have.
caf::result<bool> release(table_manager_actor self,
                          const std::vector<table_partition_api>& actors,
                          bool lost) {
  auto f = std::make_shared<fan_in>();
  f->promise = self->make_response_promise<bool>();
  f->left = actors.size();
  auto one_done = [f](bool ok) {
    f->ok &= ok;
    if (--f->left == 0)
      f->promise.deliver(f->ok);
  };
  for (auto& actor : actors)
    self->request(actor, caf::infinite, release_atom::value, lost)
        .then([one_done](bool) { one_done(true); },
              [one_done](caf::error&) { one_done(false); });
  return f->promise;
}

table_manager_api::behavior_type
table_manager_impl(table_manager_actor self, std::shared_ptr<app_core> core) {
  auto& st = self->state;
  st.core = std::move(core);
  supervision::name_failures(self, "the table manager");
  for (auto& table : st.core->tables)
    for (auto& part : table->parts)
      st.partitions[{table.get(), part->number}] =
          spawn_table_partition(self, st.core, table.get(), part.get());
  return {
      // The group assigned `assigned`: recover the co-partitioned table
      // partitions (in parallel, each in its actor), then answer.
      [self](recover_atom, const assignment& assigned) -> caf::result<bool> {
        auto& st = self->state;
        auto wanted = table_partitions_of(*st.core, assigned.partitions);
        if (!st.assigned_once) {
          st.assigned_once = true;
          // Until the view places standbys: every partition not owned.
          for (auto& [key, actor] : st.partitions)
            if (!wanted.count(key) &&
                (!st.placement ||
                 st.placement->count({key.first->changelog_topic, key.second})))
              self->send(actor, follow_atom::value);
        }
        if (wanted.empty())
          return true;
        // The table partitions this assignment gives this worker (each
        // recovery then names its partition and what it read).
        std::map<std::string, std::string> owned;
        for (auto& [table, partition] : wanted) {
          auto& list = owned[table->name];
          list += (list.empty() ? "" : ",") + std::to_string(partition);
        }
        std::string listing;
        for (auto& [table, list] : owned)
          listing += (listing.empty() ? "" : " ") + table + "[" + list + "]";
        faust::log().info("table partitions assigned here: {}", listing);
        auto f = std::make_shared<fan_in>();
        f->promise = self->make_response_promise<bool>();
        f->left = wanted.size();
        for (auto& key : wanted)
          self->request(st.partitions.at(key), caf::infinite,
                        recover_atom::value)
              .then(
                  [self, f](const recovery_state& d) {
                    if (!d.ok())
                      f->ok = false;
                    else if (d.phase == recovery_phase::ready) {
                      ++f->partitions;
                      f->read += d.records_read;
                      f->applied += d.records_applied;
                      f->took = std::max(f->took, milliseconds{d.took_ms});
                      for (auto& t : self->state.core->tables)
                        if (t->name == d.table)
                          f->tables.insert(t.get());
                    }
                    if (--f->left == 0)
                      recovered(self->state, f);
                  },
                  [self, f](caf::error&) {
                    f->ok = false;
                    if (--f->left == 0)
                      recovered(self->state, f);
                  });
        return f->promise;
      },
      // The group took `revoked` away and this worker keeps `remaining`:
      // the table partitions no longer co-partitioned with an assigned
      // topic partition are handed over; answered once they are.
      [self](release_atom, const assignment& revoked,
             const assignment& remaining, bool lost) -> caf::result<bool> {
        auto& st = self->state;
        auto kept = table_partitions_of(*st.core, remaining.partitions);
        std::vector<table_partition_api> going;
        for (auto& key : table_partitions_of(*st.core, revoked.partitions))
          if (!kept.count(key))
            going.push_back(st.partitions.at(key));
        if (going.empty())
          return true;
        return release(self, going, lost);
      },
      // Stopping: every partition is handed over (stores written, changelog
      // offsets recorded).
      [self](release_all_atom) -> caf::result<bool> {
        auto& st = self->state;
        if (st.partitions.empty())
          return true;
        std::vector<table_partition_api> all;
        for (auto& [key, actor] : st.partitions)
          all.push_back(actor);
        return release(self, all, false);
      },
      // The standby placement (from the cluster view): follow exactly
      // these changelog partitions among those not assigned here.
      [self](standbys_atom,
             const std::vector<models::topic_partition>& placed) {
        auto& st = self->state;
        st.placement.emplace(placed.begin(), placed.end());
        if (!st.assigned_once)
          return; // applied at the first assignment
        for (auto& [key, actor] : st.partitions) {
          auto& [table, partition] = key;
          if (st.placement->count({table->changelog_topic, partition}))
            self->send(actor, follow_atom::value);
          else
            self->send(actor, unfollow_atom::value);
        }
      },
      [self](protocol::changelog_push& push) {
        auto& st = self->state;
        for (auto& [key, actor] : st.partitions)
          if (key.second == push.partition &&
              key.first->changelog_topic == push.topic) {
            self->send(actor, std::move(push));
            return;
          }
      },
      [self](parts_atom) {
        std::vector<table_partition_api> out;
        for (auto& [key, part] : self->state.partitions)
          out.push_back(part);
        return out;
      },
  };
}

} // namespace

table_manager_api spawn_table_manager(caf::actor_system& sys,
                                      std::shared_ptr<app_core> core) {
  return sys.spawn(table_manager_impl, std::move(core));
}

} // namespace faust::internal
