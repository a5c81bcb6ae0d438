#include "tradebus/model/event_type.hpp"

#include <array>

#include "tradebus/model/error_info.hpp"
#include "tradebus/model/order.hpp"

namespace tradebus {
namespace {
constexpr std::array<std::string_view, kEventTypeCount> kTypeNames{
    "CANDLE_CLOSED",  "SIGNAL_GENERATED", "ORDER_CREATED", "ORDER_FILLED",
    "ORDER_REJECTED", "ORDER_CANCELED",   "ERROR"};
}

std::string_view to_string(EventType t) noexcept {
  return kTypeNames[static_cast<std::size_t>(t)];
}

std::optional<EventType> parse_event_type(std::string_view s) noexcept {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i)
    if (kTypeNames[i] == s) return static_cast<EventType>(i);
  return std::nullopt;
}

std::string_view to_string(Lane l) noexcept {
  switch (l) {
    case Lane::order:
      return "order";
    case Lane::signal:
      return "signal";
    case Lane::data:
      return "data";
  }
  return "?";
}

std::string_view to_string(Severity s) noexcept {
  switch (s) {
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
    case Severity::critical:
      return "critical";
  }
  return "?";
}

std::string_view to_string(OrderType t) noexcept {
  return t == OrderType::market ? "MARKET" : "LIMIT";
}
std::string_view to_string(TimeInForce t) noexcept {
  switch (t) {
    case TimeInForce::gtc:
      return "GTC";
    case TimeInForce::ioc:
      return "IOC";
    case TimeInForce::fok:
      return "FOK";
  }
  return "?";
}
std::string_view to_string(OrderStatus s) noexcept {
  constexpr std::array<std::string_view, 8> kNames{"CREATED",          "SUBMITTED", "ACKNOWLEDGED",
                                                   "PARTIALLY_FILLED", "FILLED",    "REJECTED",
                                                   "CANCELED",         "EXPIRED"};
  return kNames[static_cast<std::size_t>(s)];
}

}  // namespace tradebus
