// Event: what travels through the EventBus. A value type whose payload lives inline in a
// std::variant, so publishing allocates nothing for candles, signals, orders and fills.
#pragma once

#include <cstdint>
#include <type_traits>
#include <variant>

#include "tradebus/model/candle.hpp"
#include "tradebus/model/error_info.hpp"
#include "tradebus/model/event_type.hpp"
#include "tradebus/model/fill.hpp"
#include "tradebus/model/fixed_string.hpp"
#include "tradebus/model/order.hpp"
#include "tradebus/model/signal.hpp"

namespace tradebus {

using Payload = std::variant<std::monostate, Candle, Signal, Order, Fill, ErrorInfo>;

struct Event {
  EventType type = EventType::candle_closed;
  std::int64_t timestamp_ns = 0;  ///< Set by the publisher (market time in backtests).
  SourceId source;                ///< Component that published it.
  std::uint64_t sequence = 0;     ///< Per-bus dispatch order, set by the bus; 0 before dispatch.
  Payload payload;

  Event() = default;
  /// Builds the payload in place from a Candle, Signal, Order, Fill or ErrorInfo.
  template <class T>
  requires std::is_constructible_v<Payload, T&&> Event(EventType t, T&& p, std::int64_t ts_ns = 0,
                                                       SourceId src = {})
      : type(t), timestamp_ns(ts_ns), source(src), payload(std::forward<T>(p)) {}

  /// The payload as T; throws std::bad_variant_access when it holds something else.
  template <class T>
  const T& as() const {
    return std::get<T>(payload);
  }
  template <class T>
  const T* get_if() const noexcept {
    return std::get_if<T>(&payload);
  }
  /// True unless the payload is an ErrorInfo (the one payload holding heap text): copying the
  /// event then cannot throw, and its destructor frees nothing (the bus's queues skip it).
  bool copies_without_allocating() const noexcept {
    return !std::holds_alternative<ErrorInfo>(payload);
  }
};

static_assert(std::is_trivially_copyable_v<Candle> && std::is_trivially_copyable_v<Signal> &&
                  std::is_trivially_copyable_v<Order> && std::is_trivially_copyable_v<Fill> &&
                  std::is_trivially_copyable_v<SourceId>,
              "Event::copies_without_allocating() counts on every member but the payload, and "
              "every payload but ErrorInfo, owning no memory");

}  // namespace tradebus
