// Subscription: handle returned by EventBus::subscribe. Copyable; unsubscribe() from any thread.
#pragma once

#include <cstdint>
#include <memory>

namespace tradebus {

namespace detail {
struct HandlerEntry;
class BusCore;
}  // namespace detail

class Subscription {
 public:
  Subscription() = default;

  /// Stops further calls of the handler: once this returns, the bus starts no new call of it
  /// (a call already running on the loop thread finishes). Idempotent; safe after the bus is gone.
  void unsubscribe();
  /// True until unsubscribe() was called (by any copy of this handle).
  bool active() const noexcept;

 private:
  friend class detail::BusCore;
  Subscription(std::weak_ptr<detail::BusCore> bus, std::shared_ptr<detail::HandlerEntry> entry)
      : bus_(std::move(bus)), entry_(std::move(entry)) {}
  std::weak_ptr<detail::BusCore> bus_;
  std::shared_ptr<detail::HandlerEntry> entry_;
};

}  // namespace tradebus
