#include "tradebus/execution/portfolio.hpp"

#include <gtest/gtest.h>

using namespace tradebus;
using namespace tradebus::literals;

namespace {
Fill fill(Side side, const char* price, const char* qty, const char* fee, std::int64_t t = 0) {
  Fill f;
  f.symbol = "BTCUSDT";
  f.side = side;
  f.price = Decimal::from_string(price);
  f.quantity = Decimal::from_string(qty);
  f.fee = Decimal::from_string(fee);
  f.time_ns = t;
  f.order_complete = true;
  return f;
}
}  // namespace

TEST(Portfolio, HandComputedRoundTrip) {
  Portfolio p("1000"_d);
  EXPECT_FALSE(p.apply(fill(Side::buy, "100", "2", "0.2")).has_value());
  EXPECT_EQ(p.cash(), "799.8"_d);
  p.mark("BTCUSDT", "110"_d);
  EXPECT_EQ(p.equity(), "1019.8"_d);
  EXPECT_EQ(p.unrealized_pnl(), "19.8"_d);  // 220 - 200.2
  auto trip = p.apply(fill(Side::sell, "105", "2", "0.21", 5));
  ASSERT_TRUE(trip.has_value());
  EXPECT_EQ(p.cash(), "1009.59"_d);
  EXPECT_EQ(p.realized_pnl(), "9.59"_d);  // 209.79 - 200.2
  EXPECT_EQ(p.fees_paid(), "0.41"_d);
  EXPECT_EQ(trip->entry_cost, "200.2"_d);
  EXPECT_EQ(trip->exit_proceeds, "209.79"_d);
  EXPECT_TRUE(trip->win());
  EXPECT_EQ(p.round_trips(), 1u);
  EXPECT_EQ(p.wins(), 1u);
  EXPECT_EQ(p.equity(), p.cash());
  EXPECT_EQ(p.equity() - p.initial_cash(), p.realized_pnl() + p.unrealized_pnl());
}

TEST(Portfolio, ALosingTripAfterFeesIsNotAWin) {
  Portfolio p("1000"_d);
  p.apply(fill(Side::buy, "100", "1", "0.1"));
  auto trip = p.apply(fill(Side::sell, "100.15", "1", "0.10015"));  // +0.15 gross, fees 0.20015
  ASSERT_TRUE(trip);
  EXPECT_FALSE(trip->win());
  EXPECT_EQ(trip->pnl(), "-0.05015"_d);
}

TEST(Portfolio, PartialSellsReleaseCostBasisProportionally) {
  Portfolio p("1000"_d);
  p.apply(fill(Side::buy, "10", "3", "0.3"));  // basis 30.3
  EXPECT_FALSE(p.apply(fill(Side::sell, "12", "1", "0")).has_value());
  EXPECT_EQ(p.position("BTCUSDT")->cost_basis, "20.2"_d);
  EXPECT_EQ(p.realized_pnl(), "1.9"_d);  // 12 - 10.1
  auto trip = p.apply(fill(Side::sell, "12", "2", "0"));
  ASSERT_TRUE(trip);
  EXPECT_EQ(p.position("BTCUSDT")->cost_basis, "0"_d);
  EXPECT_EQ(p.realized_pnl(), "5.7"_d);
  EXPECT_THROW(p.apply(fill(Side::sell, "12", "1", "0")), std::logic_error);
}

TEST(Portfolio, QuoteAssetOfSymbols) {
  EXPECT_EQ(quote_asset_of("BTCUSDT"), "USDT");
  EXPECT_EQ(quote_asset_of("SOLBTC"), "BTC");
  EXPECT_EQ(quote_asset_of("ETHFDUSD"), "FDUSD");
  EXPECT_FALSE(quote_asset_of("XYZ").has_value());
}
