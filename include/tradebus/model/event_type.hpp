// EventType: what happened; decides the default queue (Lane) an event travels on.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tradebus {

enum class EventType : std::uint8_t {
  candle_closed,
  signal_generated,
  order_created,
  order_filled,
  order_rejected,
  order_canceled,
  error,
};
inline constexpr std::size_t kEventTypeCount = 7;

/// The three bounded queues, in dispatch priority order: order before signal before data.
enum class Lane : std::uint8_t { order = 0, signal = 1, data = 2 };
inline constexpr std::size_t kLaneCount = 3;

/// "CANDLE_CLOSED", "ORDER_FILLED", ... (the seed's names).
std::string_view to_string(EventType t) noexcept;
std::optional<EventType> parse_event_type(std::string_view s) noexcept;
/// "order", "signal", "data".
std::string_view to_string(Lane l) noexcept;

/// Candles travel on data, signals and errors on signal (seed §5.3), everything order_* on order.
constexpr Lane default_lane(EventType t) noexcept {
  switch (t) {
    case EventType::candle_closed:
      return Lane::data;
    case EventType::signal_generated:
    case EventType::error:
      return Lane::signal;
    default:
      return Lane::order;
  }
}

}  // namespace tradebus
