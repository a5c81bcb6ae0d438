#include "tradebus/adapters/binance/symbol_filters.hpp"

#include <gtest/gtest.h>

#include "adapters/binance/binance_json.hpp"
#include "support/files.hpp"
#include "support/test_paths.hpp"

using namespace tradebus;
using namespace tradebus::binance;
using namespace tradebus::literals;

namespace {
SymbolFilters btcusdt() {
  SymbolFilters f;
  f.symbol = "BTCUSDT";
  f.status = "TRADING";
  f.tick_size = "0.01"_d;
  f.min_price = "0.01"_d;
  f.max_price = "1000000"_d;
  f.step_size = "0.00001"_d;
  f.min_qty = "0.00001"_d;
  f.max_qty = "9000"_d;
  f.min_notional = "10"_d;
  return f;
}
}  // namespace

TEST(SymbolFilters, ParsesARealExchangeInfoCapture) {
  TRADEBUS_REQUIRE_SHARED(
      path,
      "rest/live_captures/"
      "exchangeInfo_trimmed_12_symbols__derived_from_cryptofeed_2021-10-12.json");
  const auto all = parse_exchange_info(test::read_file(path));
  ASSERT_EQ(all.size(), 12u);
  const SymbolFilters* btc = nullptr;
  for (const auto& f : all)
    if (f.symbol == "BTCUSDT") btc = &f;
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->status, "TRADING");
  EXPECT_EQ(btc->quote_asset, "USDT");
  EXPECT_EQ(btc->tick_size, "0.01"_d);
  EXPECT_EQ(btc->step_size, "0.00001"_d);
  EXPECT_EQ(btc->min_qty, "0.00001"_d);
  EXPECT_EQ(btc->max_qty, "9000"_d);
  EXPECT_EQ(btc->min_notional, "10"_d);
  EXPECT_TRUE(btc->min_notional_applies_to_market);
}

TEST(SymbolFilters, RefusesMalformedDocuments) {
  EXPECT_THROW(parse_exchange_info("nope"), ExchangeInfoError);
  EXPECT_THROW(parse_exchange_info(R"({"timezone":"UTC"})"), ExchangeInfoError);
  try {
    parse_exchange_info(
        R"({"symbols":[{"symbol":"BTCUSDT","filters":[{"filterType":"LOT_SIZE","stepSize":"abc"}]}]})");
    FAIL();
  } catch (const ExchangeInfoError& e) {
    EXPECT_NE(std::string(e.what()).find("BTCUSDT.stepSize is not a decimal: 'abc'"),
              std::string::npos)
        << e.what();
  }
}

TEST(SymbolFilters, RoundsQuantityDownAndPriceTowardTheTradersSide) {
  const auto f = btcusdt();
  auto buy = apply_filters(f, Side::buy, "0.0123456"_d, "30000.129"_d, false, {});
  ASSERT_TRUE(buy.ok()) << buy.rejection;
  EXPECT_EQ(buy.quantity, "0.01234"_d);
  EXPECT_EQ(buy.price, "30000.12"_d);  // a buy never pays more than asked
  auto sell = apply_filters(f, Side::sell, "0.0123456"_d, "30000.121"_d, false, {});
  ASSERT_TRUE(sell.ok()) << sell.rejection;
  EXPECT_EQ(sell.price, "30000.13"_d);  // a sell never gets less than asked
  auto exact = apply_filters(f, Side::sell, "0.01"_d, "30000.12"_d, false, {});
  EXPECT_EQ(exact.price, "30000.12"_d);
}

TEST(SymbolFilters, RejectsWhatBinanceWouldRefuse) {
  auto f = btcusdt();
  EXPECT_NE(apply_filters(f, Side::buy, "0.000001"_d, {}, true, "30000"_d)
                .rejection.find("below the minimum"),
            std::string::npos);
  EXPECT_NE(apply_filters(f, Side::buy, "10000"_d, {}, true, "30000"_d)
                .rejection.find("above the maximum"),
            std::string::npos);
  EXPECT_NE(apply_filters(f, Side::buy, "0.0003"_d, {}, true, "30000"_d)
                .rejection.find("notional 9 below the minimum 10"),
            std::string::npos);
  EXPECT_TRUE(apply_filters(f, Side::buy, "0.0004"_d, {}, true, "30000"_d).ok());
  EXPECT_NE(apply_filters(f, Side::buy, "1"_d, "0.001"_d, false, {}).rejection.find("price"),
            std::string::npos);
  f.status = "BREAK";
  EXPECT_NE(apply_filters(f, Side::buy, "1"_d, {}, true, "30000"_d).rejection.find("not trading"),
            std::string::npos);
}

// Found by rest_body_fuzz: a close time past 2262 overflowed int64 nanoseconds (UB).
TEST(RestBodies, RefuseTimesBeyondTheInt64NanosecondRange) {
  EXPECT_THROW(detail::parse_rest_klines(
                   R"([[1700000000000,"1","1","1","1","1",17000000000059999,"1",1,"1","1","0"]])",
                   "BTCUSDT", "1m"),
               detail::BodyError);
  EXPECT_NO_THROW(detail::parse_rest_klines(
      R"([[1700000000000,"1","1","1","1","1",1700000059999,"1",1,"1","1","0"]])", "BTCUSDT", "1m"));
  EXPECT_THROW(
      detail::parse_order_report(
          R"({"symbol":"X","clientOrderId":"a","orderId":1,"transactTime":9300000000000000})"),
      detail::BodyError);
}
