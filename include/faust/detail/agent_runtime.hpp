#pragma once

#include "faust/detail/agent_report.hpp"
#include "faust/detail/core_access.hpp"
#include "faust/detail/event_context.hpp"
#include "faust/detail/processor.hpp"
#include "faust/event.hpp"
#include "models/reqrep.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace faust::internal {

/// What every instance of one agent shares: how to decode its input, the
/// stream operators, where results go. Built before the app starts; read-only
/// while it runs (sinks are added before start).
template <class K, class V, class R> struct agent_runtime {
  using result_type = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

  std::string name;
  std::shared_ptr<app_core> core;
  /// The monitor's count of this agent's events.
  std::shared_ptr<std::atomic<uint64_t>> events_counted =
      std::make_shared<std::atomic<uint64_t>>(0);
  models::serializer_spec key_spec;
  models::serializer_spec value_spec;
  std::vector<std::function<bool(event<K, V>&)>> ops;
  bool acks_enabled = true;
  std::vector<std::function<void(const result_type&)>> sinks;

  /// Handles one yielded/returned result: the reply to an `ask` request,
  /// then every sink in order.
  void on_result(const event<K, V>* current, result_type&& value) {
    if constexpr (!std::is_void_v<R>) {
      if (current && !current->reply_to().empty()) {
        auto sent =
            send_reply(*core, current->message(), current->reply_to(),
                       reqrep::encode_response(current->key, value,
                                               current->correlation_id()));
        if (!sent)
          report_reply_failed(name, current->reply_to(), sent.error().message);
      }
    }
    for (auto& sink : sinks)
      sink(value);
  }
};

/// Decoding and operators shared by both processor kinds.
template <class K, class V, class R>
class typed_processor_base : public processor {
protected:
  explicit typed_processor_base(std::shared_ptr<agent_runtime<K, V, R>> rt)
      : rt_(std::move(rt)) {}

  /// Decodes `m` into `ev` and applies the operators. On false the record
  /// was skipped (and acked): it did not decode, or a filter dropped it.
  bool prepare(const models::message& m, uint32_t tp_id, event<K, V>& ev) {
    ev.reset_(m, tp_id, &host_->acks());
    try {
      ev.key = reqrep::decode_key<K>(rt_->key_spec, m);
      reqrep::decode_value<V>(rt_->value_spec, m, ev.value, ev.reply_to_slot_(),
                              ev.correlation_id_slot_());
    } catch (const std::exception& e) {
      reject(*rt_->core, "agent '" + rt_->name + "'", m, e.what());
      ev.ack();
      return false;
    }
    try {
      for (auto& op : rt_->ops)
        if (!op(ev)) {
          ++filtered_;
          ev.ack();
          return false;
        }
    } catch (const std::exception& e) {
      report_operator_failed(*rt_->core, rt_->name, m, e.what());
      ev.ack();
      return false;
    }
    return true;
  }

  /// Table writes from now on belong to the event `m`.
  static void begin_event(const models::message& m, const V* value = nullptr) {
    if (auto* ctx = current_event_context()) {
      ctx->begin(m);
      if (value)
        ctx->set_value(value, typeid(V));
    }
  }
  /// The event is done: its table writes go to the changelogs (before the
  /// event is acked).
  static void end_event() {
    if (auto* ctx = current_event_context())
      ctx->end();
  }

  process_outcome crash(const models::message& m, size_t next,
                        std::exception_ptr error) {
    return report_crash(*rt_->core, rt_->name, m, next, error);
  }

  void flush_counters() {
    count_events(*rt_->core, *rt_->events_counted, std::exchange(processed_, 0),
                 std::exchange(filtered_, 0));
  }

  std::shared_ptr<agent_runtime<K, V, R>> rt_;
  processor_host* host_ = nullptr;
  uint64_t processed_ = 0;
  uint64_t filtered_ = 0;
};

} // namespace faust::internal
