#include "tradebus/execution/paper_exchange.hpp"

#include <gtest/gtest.h>

#include "support/candles.hpp"

using namespace tradebus;
using namespace tradebus::literals;
using test::make_candle;

namespace {
struct Reports final : ExecutionReports {
  void on_fill(const Fill& f) override { fills.push_back(f); }
  void on_rejected(const Order& o, std::string_view why) override {
    rejected.emplace_back(o.client_order_id.str() + ":" + std::string(why));
  }
  void on_canceled(const Order& o, std::string_view) override { canceled.push_back(o); }
  std::vector<Fill> fills;
  std::vector<std::string> rejected;
  std::vector<Order> canceled;
};

Order order(const char* id, Side side, const char* qty, OrderType type = OrderType::market,
            const char* limit = "0", const char* symbol = "BTCUSDT") {
  Order o;
  o.client_order_id = id;
  o.symbol = symbol;
  o.side = side;
  o.type = type;
  o.quantity = Decimal::from_string(qty);
  o.limit_price = Decimal::from_string(limit);
  return o;
}
}  // namespace

TEST(PaperExchange, MarketOrdersFillAtTheNextOpenWithSlippageAndFee) {
  PaperExchange x({10, 10, "USDT"});
  Reports r;
  x.attach(r);
  x.submit(order("b1", Side::buy, "2"));
  x.on_candle(make_candle("ETHUSDT", 1, "50", "51", "49", "50"));  // other symbol: no fill
  EXPECT_TRUE(r.fills.empty());
  x.on_candle(make_candle("BTCUSDT", 1, "100", "105", "95", "101"));
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].price, "100.1"_d);  // open + 10 bps against the buyer
  EXPECT_EQ(r.fills[0].fee, "0.2002"_d);   // 10 bps of 200.2
  EXPECT_EQ(r.fills[0].time_ns, make_candle("BTCUSDT", 1, "1", "1", "1", "1").open_time_ns);
  EXPECT_TRUE(r.fills[0].order_complete);
  x.submit(order("s1", Side::sell, "2"));
  x.on_candle(make_candle("BTCUSDT", 2, "200", "300", "150", "250"));
  ASSERT_EQ(r.fills.size(), 2u);
  EXPECT_EQ(r.fills[1].price, "199.8"_d);  // open - 10 bps against the seller, not capped
  EXPECT_TRUE(x.open_orders().empty());
}

TEST(PaperExchange, LimitOrdersFillWhenACandleTradesThrough) {
  PaperExchange x({0, 0, "USDT"});
  Reports r;
  x.attach(r);
  x.submit(order("lb", Side::buy, "1", OrderType::limit, "95"));
  x.on_candle(make_candle("BTCUSDT", 1, "100", "101", "96", "97"));  // low 96 > 95
  EXPECT_TRUE(r.fills.empty());
  x.on_candle(make_candle("BTCUSDT", 2, "97", "98", "94", "96"));  // trades through 95
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].price, "95"_d);
  x.submit(order("lb2", Side::buy, "1", OrderType::limit, "95"));
  x.on_candle(make_candle("BTCUSDT", 3, "93", "94", "92", "93"));  // opens below the limit
  EXPECT_EQ(r.fills.back().price, "93"_d);
  x.submit(order("ls", Side::sell, "1", OrderType::limit, "110"));
  x.on_candle(make_candle("BTCUSDT", 4, "100", "111", "99", "105"));
  EXPECT_EQ(r.fills.back().price, "110"_d);
}

TEST(PaperExchange, OrdersWithoutALaterCandleStayOpen) {
  PaperExchange x;
  Reports r;
  x.attach(r);
  x.submit(order("b1", Side::buy, "1"));
  ASSERT_EQ(x.open_orders().size(), 1u);
  EXPECT_EQ(x.open_orders()[0].status, OrderStatus::acknowledged);
  x.cancel("b1");
  EXPECT_TRUE(x.open_orders().empty());
  ASSERT_EQ(r.canceled.size(), 1u);
}

TEST(PaperExchange, RejectsInvalidOrders) {
  PaperExchange x;
  Reports r;
  x.attach(r);
  x.submit(order("z", Side::buy, "0"));
  x.submit(order("l", Side::buy, "1", OrderType::limit, "0"));
  x.submit(order("d", Side::buy, "1"));
  x.submit(order("d", Side::buy, "1"));
  EXPECT_EQ(r.rejected, (std::vector<std::string>{"z:quantity must be positive",
                                                  "l:limit price must be positive",
                                                  "d:duplicate client order id"}));
}
