// OrderRules: an exchange's trading rules (tick size, step size, limits, minimum notional),
// which the order manager applies before an order exists. Called on the bus loop thread.
#pragma once

#include <string>

#include "tradebus/model/decimal.hpp"
#include "tradebus/model/fixed_string.hpp"
#include "tradebus/model/side.hpp"

namespace tradebus {

struct OrderRuleCheck {
  Quantity quantity;      ///< After rounding to the step size.
  Price price;            ///< After rounding to the tick size (limit orders).
  std::string rejection;  ///< Empty when the order may be placed.
  bool ok() const { return rejection.empty(); }
};

class OrderRules {
 public:
  virtual ~OrderRules() = default;
  /// `price` is the limit price (zero for market orders); `reference_price` the price the
  /// notional is checked at for market orders.
  virtual OrderRuleCheck check(const Symbol& symbol, Side side, Quantity quantity, Price price,
                               bool is_market, Price reference_price) const = 0;
};

}  // namespace tradebus
