#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace faust::models {

/// Immutable bytes: a string of their own, or a view into a buffer that a
/// shared owner keeps alive. A transport hands out views into its receive
/// buffers (the Kafka consumer views the records librdkafka fetched, so
/// consuming a record copies and allocates nothing), and copying such
/// `bytes` shares the buffer instead of copying the data; the buffer lives
/// as long as any `bytes` viewing it. Bytes made from a string (what an app
/// sends) behave like that string: small ones need no allocation at all.
class bytes {
public:
  /// No bytes.
  bytes() noexcept = default;

  /// Owns `s`.
  bytes(std::string s) noexcept : storage_(std::move(s)) {}
  bytes(std::string_view s) : storage_(std::string(s)) {}
  bytes(const char* s) : storage_(std::string(s)) {}

  /// Views `data`, which `owner` keeps alive.
  bytes(std::string_view data, std::shared_ptr<const void> owner) noexcept
      : storage_(shared_view{data, std::move(owner)}) {}

  std::string_view view() const noexcept {
    if (auto* own = std::get_if<std::string>(&storage_))
      return *own;
    return std::get<shared_view>(storage_).data;
  }
  operator std::string_view() const noexcept { return view(); }
  const char* data() const noexcept { return view().data(); }
  size_t size() const noexcept { return view().size(); }
  bool empty() const noexcept { return view().empty(); }
  /// A copy of the bytes as a string.
  std::string str() const { return std::string(view()); }

  friend bool operator==(const bytes& a, const bytes& b) noexcept {
    return a.view() == b.view();
  }
  friend bool operator==(const bytes& a, std::string_view b) noexcept {
    return a.view() == b;
  }
  friend bool operator==(const bytes& a, const std::string& b) noexcept {
    return a.view() == b;
  }
  friend bool operator==(const bytes& a, const char* b) noexcept {
    return a.view() == std::string_view(b);
  }

private:
  struct shared_view {
    std::string_view data;
    std::shared_ptr<const void> owner;
  };
  std::variant<std::string, shared_view> storage_;
};

} // namespace faust::models
