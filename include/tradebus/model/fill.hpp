// Fill: an execution of (part of) an order, as reported by an exchange.
#pragma once

#include <cstdint>

#include "tradebus/model/decimal.hpp"
#include "tradebus/model/fixed_string.hpp"
#include "tradebus/model/side.hpp"

namespace tradebus {

struct Fill {
  ClientOrderId client_order_id;
  Symbol symbol;
  ShortId strategy_id;
  Side side = Side::buy;
  Price price;
  Quantity quantity;
  Money fee;  ///< In the quote currency (see fee_asset).
  FixedString<15> fee_asset;
  std::int64_t time_ns = 0;
  std::uint64_t trade_id = 0;
  bool order_complete = false;  ///< True when this fill completes the order.

  friend bool operator==(const Fill&, const Fill&) = default;
};

}  // namespace tradebus
