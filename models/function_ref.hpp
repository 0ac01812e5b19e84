#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace faust::models {

template <class Signature> class function_ref;

/// A non-owning reference to a callable, for callbacks that run before the
/// call that receives them returns (no allocation, one indirect call). The
/// callable must outlive the `function_ref`.
template <class R, class... Args> class function_ref<R(Args...)> {
public:
  template <class Fn>
  requires(!std::is_same_v<std::remove_cvref_t<Fn>, function_ref> &&
           std::is_invocable_r_v<R, Fn&, Args...>) function_ref(Fn&& fn)
  noexcept // NOLINT: implicit, like std::function
      : object_(
            const_cast<void*>(static_cast<const void*>(std::addressof(fn)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<Fn>*>(object))(
              std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const {
    return call_(object_, std::forward<Args>(args)...);
  }

private:
  void* object_;
  R (*call_)(void*, Args...);
};

} // namespace faust::models
