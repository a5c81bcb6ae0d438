#include "tradebus/execution/default_order_manager.hpp"

#include <gtest/gtest.h>

using namespace tradebus;
using namespace tradebus::literals;

namespace {
Signal signal(Side side, const char* price = "100", const char* symbol = "BTCUSDT") {
  Signal s;
  s.strategy_id = "test";
  s.symbol = symbol;
  s.direction = side;
  s.reference_price = Decimal::from_string(price);
  return s;
}
Fill fill_of(const Order& o, const char* price) {
  Fill f;
  f.client_order_id = o.client_order_id;
  f.symbol = o.symbol;
  f.side = o.side;
  f.quantity = o.quantity;
  f.price = Decimal::from_string(price);
  f.order_complete = true;
  return f;
}
}  // namespace

TEST(DefaultOrderManager, OpensWhenFlatAndClosesWhenLong) {
  auto p = std::make_shared<Portfolio>("10000"_d);
  DefaultOrderManager m({"0.5"_d, {}, {}, 10, "t", nullptr}, p);
  EXPECT_FALSE(m.create_order(signal(Side::sell), 1).has_value());  // flat: nothing to sell
  auto buy = m.create_order(signal(Side::buy), 2);
  ASSERT_TRUE(buy);
  EXPECT_EQ(buy->side, Side::buy);
  EXPECT_EQ(buy->quantity, "0.5"_d);
  EXPECT_EQ(buy->client_order_id.view(), "t-1");
  EXPECT_EQ(buy->signal_sequence, 2u);
  EXPECT_FALSE(m.create_order(signal(Side::buy), 3).has_value());   // pending
  EXPECT_FALSE(m.create_order(signal(Side::sell), 4).has_value());  // pending
  m.on_fill(fill_of(*buy, "100"));
  EXPECT_FALSE(m.create_order(signal(Side::buy), 5).has_value());  // already long
  auto sell = m.create_order(signal(Side::sell), 6);
  ASSERT_TRUE(sell);
  EXPECT_EQ(sell->quantity, "0.5"_d);
  EXPECT_EQ(sell->client_order_id.view(), "t-2");  // unique ids
  EXPECT_EQ(m.counters().ignored_signals, 4u);
}

TEST(DefaultOrderManager, ChecksCashIncludingTheFee) {
  // quantity 1 at 100 with 10 bps needs 100.1
  auto p = std::make_shared<Portfolio>("100.1"_d);
  DefaultOrderManager m({"1"_d, {}, {}, 10, "t", nullptr}, p);
  auto ok = m.create_order(signal(Side::buy, "100"), 1);
  ASSERT_TRUE(ok);
  EXPECT_NE(ok->status, OrderStatus::rejected);
  auto p2 = std::make_shared<Portfolio>("100.09999999"_d);
  DefaultOrderManager m2({"1"_d, {}, {}, 10, "t", nullptr}, p2);
  auto refused = m2.create_order(signal(Side::buy, "100"), 1);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, OrderStatus::rejected);
  EXPECT_NE(refused->reason.view().find("insufficient cash"), std::string_view::npos);
  EXPECT_EQ(m2.counters().rejected, 1u);
  EXPECT_FALSE(m2.has_pending("BTCUSDT"));  // a refused order blocks nothing
}

TEST(DefaultOrderManager, EnforcesMaxPositionAndNotional) {
  auto p = std::make_shared<Portfolio>("1000000"_d);
  DefaultOrderManager pos({"2"_d, "1"_d, {}, 0, "t", nullptr}, p);
  auto r1 = pos.create_order(signal(Side::buy), 1);
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, OrderStatus::rejected);
  EXPECT_NE(r1->reason.view().find("max position"), std::string_view::npos);
  DefaultOrderManager notional({"2"_d, {}, "150"_d, 0, "t", nullptr}, p);
  auto r2 = notional.create_order(signal(Side::buy, "100"), 1);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, OrderStatus::rejected);
  EXPECT_NE(r2->reason.view().find("notional 200"), std::string_view::npos);
}

TEST(DefaultOrderManager, ARejectedOrClosedOrderClearsThePendingFlag) {
  auto p = std::make_shared<Portfolio>("10000"_d);
  DefaultOrderManager m({"1"_d, {}, {}, 10, "t", nullptr}, p);
  auto o = m.create_order(signal(Side::buy), 1);
  ASSERT_TRUE(o);
  EXPECT_TRUE(m.has_pending("BTCUSDT"));
  m.on_order_closed(*o);
  EXPECT_FALSE(m.has_pending("BTCUSDT"));
  EXPECT_TRUE(m.create_order(signal(Side::buy), 2).has_value());
}

namespace {
// Rules like an exchange's: quantities in steps of 0.1, at least 0.5, symbol XYZ not listed.
struct StepRules final : OrderRules {
  OrderRuleCheck check(const Symbol& symbol, Side, Quantity q, Price p, bool,
                       Price) const override {
    const Quantity rounded = q.floor_to("0.1"_d);
    if (symbol.view() == "XYZUSDT") return {rounded, p, "XYZUSDT is not listed"};
    if (rounded < "0.5"_d) return {rounded, p, "quantity below the minimum 0.5"};
    return {rounded, p, ""};
  }
};
}  // namespace

TEST(DefaultOrderManager, AppliesTheExchangeRulesBeforeAnOrderExists) {
  auto p = std::make_shared<Portfolio>("100000"_d);
  DefaultOrderManager m({"0.77"_d, {}, {}, 10, "t", std::make_shared<StepRules>()}, p);
  auto buy = m.create_order(signal(Side::buy), 1);
  ASSERT_TRUE(buy);
  EXPECT_EQ(buy->status, OrderStatus::created);
  EXPECT_EQ(buy->quantity, "0.7"_d);  // rounded down to the step, never up

  DefaultOrderManager small({"0.44"_d, {}, {}, 10, "t", std::make_shared<StepRules>()}, p);
  auto refused = small.create_order(signal(Side::buy), 2);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, OrderStatus::rejected);
  EXPECT_EQ(refused->reason.view(), "quantity below the minimum 0.5");
  auto unlisted = small.create_order(signal(Side::buy, "100", "XYZUSDT"), 3);
  ASSERT_TRUE(unlisted);
  EXPECT_EQ(unlisted->reason.view(), "XYZUSDT is not listed");
}

TEST(DefaultOrderManager, ClientOrderIdsContinueAfterTheLastStoredNumber) {
  auto p = std::make_shared<Portfolio>("10000"_d);
  DefaultOrderManager m({"0.5"_d, {}, {}, 10, "sixteen-chars-id", nullptr}, p);
  StoredOrders stored;
  stored.last_order_number = 9'999'999'999'999'999'998u;  // 19 digits: 36 characters in all
  m.resume(stored);
  auto buy = m.create_order(signal(Side::buy), 1);
  ASSERT_TRUE(buy);
  EXPECT_EQ(buy->client_order_id.view(), "sixteen-chars-id-9999999999999999999");
  m.on_fill(fill_of(*buy, "100"));
  // The next number has 20 digits: 37 characters, longer than Binance allows.
  EXPECT_THROW(m.create_order(signal(Side::sell), 2), std::length_error);
}
