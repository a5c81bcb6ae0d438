#include "tradebus/execution/portfolio.hpp"

#include <array>
#include <stdexcept>

#include <fmt/format.h>

namespace tradebus {

std::optional<RoundTrip> Portfolio::apply(const Fill& f) {
  Position& p = positions_[f.symbol];
  has_fills_ = true;
  const Money notional = Decimal::mul(f.price, f.quantity);
  if (f.side == Side::buy) {
    fees_ += f.fee;
    if (p.quantity.is_zero()) {
      p.entry_cost = Money();
      p.exit_proceeds = Money();
      entry_time_[f.symbol] = f.time_ns;
    }
    cash_ -= notional + f.fee;
    p.quantity += f.quantity;
    p.cost_basis += notional + f.fee;
    p.entry_cost += notional + f.fee;
    return std::nullopt;
  }
  if (f.quantity > p.quantity)
    throw std::logic_error(fmt::format("sell of {} {} exceeds the position {}",
                                       f.quantity.to_string(), f.symbol.view(),
                                       p.quantity.to_string()));
  fees_ += f.fee;  // after the check: a refused fill leaves the books as they were
  // Cost basis leaves in proportion to the quantity sold (exact when the position closes).
  const Money basis_sold = f.quantity == p.quantity
                               ? p.cost_basis
                               : Decimal::div(Decimal::mul(p.cost_basis, f.quantity), p.quantity);
  const Money proceeds = notional - f.fee;
  cash_ += proceeds;
  p.realized_pnl += proceeds - basis_sold;
  p.cost_basis -= basis_sold;
  p.quantity -= f.quantity;
  p.exit_proceeds += proceeds;
  if (!p.quantity.is_zero()) return std::nullopt;
  RoundTrip t{f.symbol, entry_time_[f.symbol], f.time_ns, p.entry_cost, p.exit_proceeds};
  ++round_trips_;
  if (t.win()) ++wins_;
  last_round_trip_ = t;
  return t;
}

void Portfolio::mark(const Symbol& symbol, Price close) {
  positions_[symbol].last_price = close;
}

Money Portfolio::equity() const {
  Money e = cash_;
  for (const auto& [s, p] : positions_)
    if (!p.quantity.is_zero()) e += Decimal::mul(p.quantity, p.last_price);
  return e;
}

Money Portfolio::realized_pnl() const {
  Money r;
  for (const auto& [s, p] : positions_)
    r += p.realized_pnl;
  return r;
}

Money Portfolio::unrealized_pnl() const {
  Money u;
  for (const auto& [s, p] : positions_)
    u += p.unrealized_pnl();
  return u;
}

Quantity Portfolio::quantity(const Symbol& symbol) const {
  auto it = positions_.find(symbol);
  return it == positions_.end() ? Quantity() : it->second.quantity;
}

const Position* Portfolio::position(const Symbol& symbol) const {
  auto it = positions_.find(symbol);
  return it == positions_.end() ? nullptr : &it->second;
}

std::optional<std::string_view> quote_asset_of(std::string_view symbol) noexcept {
  // Longest suffixes first so "FDUSD" wins over "USD"-like tails.
  static constexpr std::array<std::string_view, 15> kQuotes{"FDUSD", "USDT", "USDC", "BUSD", "TUSD",
                                                            "USDP",  "DAI",  "BTC",  "ETH",  "BNB",
                                                            "EUR",   "TRY",  "GBP",  "BRL",  "JPY"};
  for (auto q : kQuotes)
    if (symbol.size() > q.size() && symbol.substr(symbol.size() - q.size()) == q)
      return symbol.substr(symbol.size() - q.size());
  return std::nullopt;
}

}  // namespace tradebus
