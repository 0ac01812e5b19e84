#include "transport/kafka/transaction_manager.hpp"

#include "supervision/logger.hpp"

#include <mutex>

namespace faust::transport::kafka {

transaction_manager::transaction_manager(std::string app_id,
                                         std::string bootstrap,
                                         properties extra,
                                         std::chrono::milliseconds timeout)
    : app_id_(std::move(app_id)), bootstrap_(std::move(bootstrap)),
      extra_(std::move(extra)), timeout_(timeout) {}

std::string
transaction_manager::transactional_id(const models::topic_partition& tp) const {
  return app_id_ + "-" + tp.topic + "-" + std::to_string(tp.partition);
}

result<void> transaction_manager::open(const models::topic_partition& tp) {
  producer_options opts;
  opts.bootstrap = bootstrap_;
  opts.client_id = transactional_id(tp);
  opts.transactional_id = transactional_id(tp);
  opts.extra = extra_;
  auto made = producer::create(opts);
  if (!made)
    return made.error();
  std::shared_ptr<producer> p = std::move(*made);
  if (auto init = p->init_transactions(timeout_); !init)
    return init.error();
  if (auto begun = p->begin_transaction(); !begun)
    return begun.error();
  std::unique_lock lock(mtx_);
  producers_[tp] = std::move(p);
  return {};
}

std::shared_ptr<producer>
transaction_manager::producer_for(const models::topic_partition& tp) const {
  std::shared_lock lock(mtx_);
  auto it = producers_.find(tp);
  return it == producers_.end() ? nullptr : it->second;
}

transaction_outcome
transaction_manager::abort_and_restart(const models::topic_partition& tp,
                                       producer& p, const std::string& why) {
  if (p.fatal()) {
    faust::log().error("{}[{}]: transactional producer {} is fenced or "
                       "failed ({}); this worker stops processing the "
                       "partition",
                       tp.topic, tp.partition, transactional_id(tp), why);
    return transaction_outcome::fenced;
  }
  ++aborted_;
  faust::log().warn("{}[{}]: aborting the transaction ({}); its records are "
                    "processed again from the last commit",
                    tp.topic, tp.partition, why);
  if (auto aborted = p.abort_transaction(timeout_); !aborted)
    return abort_and_restart(tp, p, aborted.error().message);
  if (auto begun = p.begin_transaction(); !begun)
    return abort_and_restart(tp, p, begun.error().message);
  return transaction_outcome::aborted;
}

transaction_outcome
transaction_manager::commit(const models::topic_partition& tp,
                            std::optional<int64_t> offset,
                            rd_kafka_consumer_group_metadata_t* group) {
  auto p = producer_for(tp);
  if (!p)
    return transaction_outcome::fenced;
  if (offset)
    if (auto sent =
            p->send_offsets_to_transaction({{tp, *offset}}, group, timeout_);
        !sent)
      return abort_and_restart(tp, *p, sent.error().message);
  if (auto done = p->commit_transaction(timeout_); !done)
    return abort_and_restart(tp, *p, done.error().message);
  ++committed_;
  if (auto begun = p->begin_transaction(); !begun)
    return abort_and_restart(tp, *p, begun.error().message);
  return transaction_outcome::committed;
}

void transaction_manager::close(const models::topic_partition& tp) {
  std::shared_ptr<producer> p;
  {
    std::unique_lock lock(mtx_);
    auto it = producers_.find(tp);
    if (it == producers_.end())
      return;
    p = std::move(it->second);
    producers_.erase(it);
  }
  if (!p->fatal())
    if (auto aborted = p->abort_transaction(timeout_); !aborted)
      faust::log().warn("{}[{}]: {}", tp.topic, tp.partition,
                        aborted.error().message);
}

} // namespace faust::transport::kafka
