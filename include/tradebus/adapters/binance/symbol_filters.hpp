// SymbolFilters: a symbol's trading rules from GET /api/v3/exchangeInfo (tick size, step size,
// quantity limits, minimum notional), and the rounding and checks an order must pass before it
// exists. Pure functions; the REST client will call them.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tradebus/engine/order_rules.hpp"
#include "tradebus/model/decimal.hpp"
#include "tradebus/model/fixed_string.hpp"
#include "tradebus/model/side.hpp"

namespace tradebus::binance {

/// A malformed exchangeInfo document; what() says where.
class ExchangeInfoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SymbolFilters {
  Symbol symbol;
  std::string status;  ///< "TRADING", "BREAK", ...
  std::string base_asset;
  std::string quote_asset;
  Price tick_size;  ///< Zero: no PRICE_FILTER tick.
  Price min_price;
  Price max_price;     ///< Zero: no limit.
  Quantity step_size;  ///< Zero: no LOT_SIZE step.
  Quantity min_qty;
  Quantity max_qty;    ///< Zero: no limit.
  Money min_notional;  ///< From MIN_NOTIONAL or NOTIONAL; zero: none.
  bool min_notional_applies_to_market = true;
};

/// Parses the exchangeInfo response body. Throws ExchangeInfoError for invalid JSON or a filter
/// value that is not an exact decimal.
std::vector<SymbolFilters> parse_exchange_info(std::string_view json);

/// The order after rounding, or why it cannot be placed.
struct FilterCheck {
  Quantity quantity;
  Price price;
  std::string rejection;  ///< Empty when the order passes.
  bool ok() const { return rejection.empty(); }
};

/// Rounds `quantity` down to the step size and a limit `price` to the tick (buys down, sells
/// up: never a worse price than asked), then checks status, quantity limits, price limits and
/// minimum notional (at `price`, or `reference_price` for market orders).
FilterCheck apply_filters(const SymbolFilters& f, Side side, Quantity quantity, Price price,
                          bool is_market, Price reference_price);

/// The filters of every listed symbol as the order manager's rules; a symbol that is not listed
/// is refused.
class ExchangeRules final : public OrderRules {
 public:
  explicit ExchangeRules(std::vector<SymbolFilters> symbols) : symbols_(std::move(symbols)) {}
  OrderRuleCheck check(const Symbol& symbol, Side side, Quantity quantity, Price price,
                       bool is_market, Price reference_price) const override;
  const SymbolFilters* find(const Symbol& symbol) const;

 private:
  std::vector<SymbolFilters> symbols_;
};

}  // namespace tradebus::binance
