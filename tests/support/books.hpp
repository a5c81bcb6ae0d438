// Comparing two portfolios' books field by field, so a failure names the field that differs.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tradebus/execution/portfolio.hpp"

namespace tradebus::test {

/// Expects `a` and `b` to hold the same books from their fills, to the unit: cash, fees,
/// realized P&L, round trips and every position. Marks (last prices, and so equity and
/// unrealized P&L) are not compared: a run marks to candles, a replay of its fills does not.
/// `where` is added to each failure.
inline void expect_same_fill_books(const Portfolio& a, const Portfolio& b,
                                   const std::string& where = {}) {
  EXPECT_EQ(a.cash(), b.cash()) << where;
  EXPECT_EQ(a.fees_paid(), b.fees_paid()) << where;
  EXPECT_EQ(a.realized_pnl(), b.realized_pnl()) << where;
  EXPECT_EQ(a.round_trips(), b.round_trips()) << where;
  EXPECT_EQ(a.wins(), b.wins()) << where;
  ASSERT_EQ(a.last_round_trip().has_value(), b.last_round_trip().has_value()) << where;
  if (a.last_round_trip()) {
    EXPECT_EQ(a.last_round_trip()->symbol, b.last_round_trip()->symbol) << where;
    EXPECT_EQ(a.last_round_trip()->entry_time_ns, b.last_round_trip()->entry_time_ns) << where;
    EXPECT_EQ(a.last_round_trip()->pnl(), b.last_round_trip()->pnl()) << where;
  }
  ASSERT_EQ(a.positions().size(), b.positions().size()) << where;
  for (const auto& [sym, p] : a.positions()) {
    const Position* q = b.position(sym);
    ASSERT_NE(q, nullptr) << where << " " << sym.view();
    EXPECT_EQ(p.quantity, q->quantity) << where << " " << sym.view();
    EXPECT_EQ(p.cost_basis, q->cost_basis) << where << " " << sym.view();
    EXPECT_EQ(p.realized_pnl, q->realized_pnl) << where << " " << sym.view();
    EXPECT_EQ(p.entry_cost, q->entry_cost) << where << " " << sym.view();
    EXPECT_EQ(p.exit_proceeds, q->exit_proceeds) << where << " " << sym.view();
  }
}

/// As expect_same_fill_books, and the marks too: last prices, equity and unrealized P&L.
inline void expect_same_books(const Portfolio& a, const Portfolio& b,
                              const std::string& where = {}) {
  expect_same_fill_books(a, b, where);
  EXPECT_EQ(a.equity(), b.equity()) << where;
  EXPECT_EQ(a.unrealized_pnl(), b.unrealized_pnl()) << where;
  for (const auto& [sym, p] : a.positions()) {
    if (const Position* q = b.position(sym)) {
      EXPECT_EQ(p.last_price, q->last_price) << where << " " << sym.view();
    }
  }
}

}  // namespace tradebus::test
