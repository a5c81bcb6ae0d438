// Portfolio: cash and positions of one quote currency, changed by fills only; marks positions
// to market with the last close. Loop thread only (held by the order manager).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tradebus/model/decimal.hpp"
#include "tradebus/model/fill.hpp"
#include "tradebus/model/fixed_string.hpp"

namespace tradebus {

struct Position {
  Quantity quantity;    ///< Held now (long-only: >= 0).
  Money cost_basis;     ///< What the held quantity cost, buy fees included.
  Money realized_pnl;   ///< Closed part: sale proceeds net of fees minus cost basis sold.
  Price last_price;     ///< Last close seen for the symbol.
  Money entry_cost;     ///< Of the round trip open now: buys incl. fees.
  Money exit_proceeds;  ///< Of the round trip open now: sells net of fees.

  Money unrealized_pnl() const { return Decimal::mul(quantity, last_price) - cost_basis; }
};

/// A completed round trip: flat -> long -> flat.
struct RoundTrip {
  Symbol symbol;
  std::int64_t entry_time_ns = 0;
  std::int64_t exit_time_ns = 0;
  Money entry_cost;     ///< Buys including fees.
  Money exit_proceeds;  ///< Sells net of fees.
  Money pnl() const { return exit_proceeds - entry_cost; }
  /// A win: exit proceeds after fee exceed the entry cost including fee.
  bool win() const { return exit_proceeds > entry_cost; }
};

class Portfolio {
 public:
  explicit Portfolio(Money initial_cash) : initial_cash_(initial_cash), cash_(initial_cash) {}

  /// Applies a fill: cash, position, cost basis, realized PnL, fees, round trips.
  /// Returns the round trip the fill completed, if any. Throws std::logic_error for a sell
  /// larger than the position (the engine is long-only).
  std::optional<RoundTrip> apply(const Fill& fill);
  /// Records the last close of `symbol` for marking.
  void mark(const Symbol& symbol, Price close);

  Money initial_cash() const { return initial_cash_; }
  Money cash() const { return cash_; }
  Money fees_paid() const { return fees_; }
  /// Cash + sum of quantity x last price.
  Money equity() const;
  Money realized_pnl() const;
  Money unrealized_pnl() const;
  Quantity quantity(const Symbol& symbol) const;
  const Position* position(const Symbol& symbol) const;
  const std::map<Symbol, Position>& positions() const { return positions_; }
  std::uint64_t round_trips() const { return round_trips_; }
  std::uint64_t wins() const { return wins_; }
  /// The round trip completed by the most recent fill that completed one.
  const std::optional<RoundTrip>& last_round_trip() const { return last_round_trip_; }

  /// What the fills applied so far did to this portfolio, as bytes a store keeps so that a
  /// restart need not apply every fill ever made again (docs/adr/0003-bounded-restart.md).
  /// Holds cash as a change from the starting cash and no marks, so it restores into a
  /// portfolio of any starting cash. Versioned; exact.
  std::string snapshot() const;
  /// Makes this portfolio what the fills behind `snapshot` made of one with this starting
  /// cash. Throws std::logic_error when a fill was already applied here, and
  /// std::invalid_argument saying what is wrong with bytes no snapshot() made.
  void restore(std::string_view snapshot);

 private:
  Money initial_cash_;
  Money cash_;
  Money fees_;
  std::map<Symbol, Position> positions_;
  std::map<Symbol, std::int64_t> entry_time_;
  std::uint64_t round_trips_ = 0;
  std::uint64_t wins_ = 0;
  std::optional<RoundTrip> last_round_trip_;
  bool has_fills_ = false;
};

/// The quote asset of a spot symbol from the usual quote suffixes (USDT, BTC, ...), or nullopt.
std::optional<std::string_view> quote_asset_of(std::string_view symbol) noexcept;

}  // namespace tradebus
