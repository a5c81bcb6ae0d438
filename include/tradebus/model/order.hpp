// Order: what the engine asks an exchange to do, and its state.
#pragma once

#include <cstdint>
#include <string_view>

#include "tradebus/model/decimal.hpp"
#include "tradebus/model/fixed_string.hpp"
#include "tradebus/model/side.hpp"

namespace tradebus {

enum class OrderType : std::uint8_t { market, limit };
enum class TimeInForce : std::uint8_t { gtc, ioc, fok };
/// The order state machine: created -> submitted -> acknowledged -> partially_filled ->
/// filled | rejected | canceled | expired.
enum class OrderStatus : std::uint8_t {
  created,
  submitted,
  acknowledged,
  partially_filled,
  filled,
  rejected,
  canceled,
  expired,
};

std::string_view to_string(OrderType t) noexcept;
std::string_view to_string(TimeInForce t) noexcept;
std::string_view to_string(OrderStatus s) noexcept;
constexpr bool is_final(OrderStatus s) noexcept {
  return s >= OrderStatus::filled;
}

struct Order {
  ClientOrderId client_order_id;
  Symbol symbol;
  ShortId strategy_id;
  Side side = Side::buy;
  OrderType type = OrderType::market;
  TimeInForce time_in_force = TimeInForce::gtc;
  OrderStatus status = OrderStatus::created;
  Quantity quantity;
  Price limit_price;      ///< Zero for market orders.
  Price reference_price;  ///< Price the risk checks used (the signal's close).
  Quantity filled_quantity;
  std::int64_t created_ns = 0;
  std::uint64_t signal_sequence = 0;  ///< Bus sequence of the signal that produced this order.
  FixedString<47> reason;             ///< Why it was rejected or canceled (cut to 47 characters).

  friend bool operator==(const Order&, const Order&) = default;
};

}  // namespace tradebus
