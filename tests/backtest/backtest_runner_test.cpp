#include "tradebus/backtest/backtest_runner.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/test_paths.hpp"
#include "tradebus/marketdata/kline_csv_reader.hpp"

using namespace tradebus;
using namespace tradebus::literals;

namespace {

BacktestConfig hand_config(const std::string& dir) {
  // sma_cross fast=1 slow=2, quantity 1, capital 100, fee 10 bps. Walk-through:
  //  m0 c10 | m1 c12: d>0 first | m2 c11: d<0, SELL while flat: ignored
  //  m3 c13: d>0, BUY (cash 100 >= 13.013) | m4 open 14: BUY fills, fee 0.014, cash 85.986
  //  m5 c10: d<0, SELL | m6 open 9: SELL fills, fee 0.009, cash 94.977 | m7 c8: d=0
  // equity per minute: 100 100 100 100 100.986 95.986 94.977 94.977
  // max drawdown = (100.986 - 94.977) / 100.986 = 0.05950330
  std::string rows;
  rows += test::kline_row(0, "10", "10", "10", "10");
  rows += test::kline_row(1, "10", "12", "10", "12");
  rows += test::kline_row(2, "12", "12", "11", "11");
  rows += test::kline_row(3, "11", "13", "11", "13");
  rows += test::kline_row(4, "14", "15", "13", "15");
  rows += test::kline_row(5, "15", "15", "10", "10");
  rows += test::kline_row(6, "9", "9", "8", "8");
  rows += test::kline_row(7, "8", "8", "8", "8");
  BacktestConfig cfg;
  cfg.data = {{"BTCUSDT", test::write_file(dir + "/hand.csv", rows), ""}};
  cfg.strategies = {{"sma_cross", "", {{"fast", "1"}, {"slow", "2"}}}};
  cfg.quantity = "1"_d;
  cfg.capital = "100"_d;
  cfg.fee_bps = 10;
  return cfg;
}

}  // namespace

TEST(BacktestRunner, HandComputedPnlAndDrawdown) {
  const auto dir = test::scratch_dir("bt_hand");
  auto cfg = hand_config(dir);
  cfg.trades_path = dir + "/trades.csv";
  const auto r = run_backtest(cfg);
  EXPECT_EQ(r.candles, 8u);
  EXPECT_EQ(r.signals, 3u);
  EXPECT_EQ(r.orders, 2u);
  EXPECT_EQ(r.fills, 2u);
  EXPECT_EQ(r.trades, 1u);
  EXPECT_EQ(r.wins, 0u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(r.open_orders_at_end, 0u);
  EXPECT_EQ(r.fees, "0.023"_d);
  EXPECT_EQ(r.final_equity, "94.977"_d);
  EXPECT_EQ(r.final_cash, "94.977"_d);
  EXPECT_EQ(r.realized_pnl, "-5.023"_d);
  EXPECT_DOUBLE_EQ(r.max_drawdown, 0.05950330);
  EXPECT_EQ(r.dropped, (std::array<std::uint64_t, 3>{0, 0, 0}));
  ASSERT_EQ(r.equity_curve.size(), 8u);
  const double want[] = {100, 100, 100, 100, 100.986, 95.986, 94.977, 94.977};
  for (int i = 0; i < 8; ++i)
    EXPECT_DOUBLE_EQ(r.equity_curve[i].value, want[i]) << i;
  const auto csv = test::read_file(cfg.trades_path);
  EXPECT_NE(csv.find(",BTCUSDT,BUY,14,1,14,0.014,USDT,bt-1,sma_cross,1\n"), std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",BTCUSDT,SELL,9,1,9,0.009,USDT,bt-2,sma_cross,2\n"), std::string::npos)
      << csv;
}

TEST(BacktestRunner, RefusedOrdersAreCountedAndTradeNothing) {
  const auto dir = test::scratch_dir("bt_reject");
  auto cfg = hand_config(dir);
  cfg.capital = "13"_d;  // 13 < 13.013 needed for the BUY at 13
  const auto r = run_backtest(cfg);
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.fills, 0u);
  EXPECT_EQ(r.final_equity, "13"_d);
}

TEST(BacktestRunner, AnOrderWithNoLaterCandleStaysOpen) {
  const auto dir = test::scratch_dir("bt_open");
  auto cfg = hand_config(dir);
  std::string rows;  // BUY signal on the last candle
  rows += test::kline_row(0, "10", "10", "10", "10");
  rows += test::kline_row(1, "10", "10", "9", "9");
  rows += test::kline_row(2, "9", "12", "9", "12");
  cfg.data = {{"BTCUSDT", test::write_file(dir + "/open.csv", rows), ""}};
  const auto r = run_backtest(cfg);
  EXPECT_EQ(r.orders, 1u);
  EXPECT_EQ(r.fills, 0u);
  EXPECT_EQ(r.open_orders_at_end, 1u);
}

TEST(BacktestRunner, MarksEquityOncePerTimestampAcrossSymbols) {
  const auto dir = test::scratch_dir("bt_multi");
  std::string a, b;
  for (int m = 0; m < 50; ++m) {
    a += test::kline_row(m, "10", "11", "9", m % 7 < 3 ? "10" : "10.5");
    b += test::kline_row(m, "20", "21", "19", m % 5 < 2 ? "20" : "20.5");
  }
  BacktestConfig cfg;
  cfg.data = {{"AAAUSDT", test::write_file(dir + "/a.csv", a), ""},
              {"BBBUSDT", test::write_file(dir + "/b.csv", b), ""}};
  cfg.strategies = {{"sma_cross", "", {{"fast", "2"}, {"slow", "4"}}}};
  const auto r = run_backtest(cfg);
  EXPECT_EQ(r.candles, 100u);
  EXPECT_EQ(r.equity_curve.size(), 50u);  // one mark per open time, not per candle
  EXPECT_GT(r.fills, 0u);
  EXPECT_EQ(r.symbols, (std::vector<std::string>{"AAAUSDT", "BBBUSDT"}));
}

TEST(BacktestRunner, ReportSeriesStayBoundedOnLongRuns) {
  BacktestConfig cfg;  // synthetic market
  cfg.synthetic.candles_per_symbol = 30000;
  cfg.report_points = 500;
  const auto r = run_backtest(cfg);
  EXPECT_EQ(r.candles, 90000u);
  EXPECT_LE(r.equity_curve.size(), 501u);
  EXPECT_GE(r.equity_curve.size(), 250u);
  for (const auto& [sym, pts] : r.prices)
    EXPECT_LE(pts.size(), 501u) << sym;
  EXPECT_EQ(r.equity_curve.back().time_ns,
            1'672'531'200'000LL * 1'000'000 + 29999LL * 60'000'000'000);
}

TEST(BacktestRunner, BadDataLeavesNoTradesFile) {
  const auto dir = test::scratch_dir("bt_bad");
  std::string rows;
  for (int m = 0; m < 40; ++m)
    rows += test::kline_row(m, "10", "11", "9", m % 6 < 3 ? "10" : "10.5");
  rows += "garbage\n";
  BacktestConfig cfg;
  cfg.data = {{"BTCUSDT", test::write_file(dir + "/bad.csv", rows), ""}};
  cfg.strategies = {{"sma_cross", "", {{"fast", "2"}, {"slow", "4"}}}};
  cfg.trades_path = dir + "/trades.csv";
  try {
    run_backtest(cfg);
    FAIL() << "bad data must fail the run";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:41: expected 12 columns"), std::string::npos)
        << e.what();
  }
  for (const auto& f : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(f.path().filename(), "bad.csv") << "left behind: " << f.path();
}

// An independent simulation of the documented backtest semantics (no bus, no engine): sma
// cross on closes, long-only order rules with the cash check, market fills at the next open,
// fees in basis points, equity marked per candle (one symbol).
TEST(BacktestRunner, RealDataMatchesAnIndependentSimulation) {
  TRADEBUS_REQUIRE_SHARED(path, "klines_csv/spot_1m/BTCUSDT-1m-2020-01-01.csv");
  std::vector<Candle> candles;
  {
    KlineCsvReader rd(path, "BTCUSDT");
    for (Candle c; rd.next(c);)
      candles.push_back(c);
  }
  const int fast = 10, slow = 30;
  const Decimal qty = "0.01"_d, capital = "10000"_d;
  const std::int64_t fee_bps = 10;
  Decimal cash = capital, pos, fees, entry_cost, peak = capital;
  std::uint64_t fills = 0, trades = 0, wins = 0, signals = 0;
  double max_dd = 0;
  int last_sign = 0;
  std::optional<Side> pending;
  std::vector<std::int64_t> closes;
  for (std::size_t i = 0; i < candles.size(); ++i) {
    const Candle& c = candles[i];
    if (i > 0) {  // mark the previous timestamp
      const Decimal eq = cash + Decimal::mul(pos, candles[i - 1].close);
      peak = std::max(peak, eq);
      max_dd = std::max(max_dd, Decimal::div(peak - eq, peak).to_double());
    }
    if (pending) {  // fill at this open
      const Decimal notional = Decimal::mul(c.open, pending == Side::buy ? qty : pos);
      const Decimal fee = Decimal::mul_ratio(notional, fee_bps, 10'000);
      fees += fee;
      ++fills;
      if (*pending == Side::buy) {
        cash -= notional + fee;
        pos = qty;
        entry_cost = notional + fee;
      } else {
        cash += notional - fee;
        pos = Decimal();
        ++trades;
        wins += (notional - fee) > entry_cost;
      }
      pending.reset();
    }
    closes.push_back(c.close.raw());
    if (closes.size() < static_cast<std::size_t>(slow)) continue;
    __extension__ __int128 sf = 0, ss = 0;
    for (int k = 0; k < fast; ++k)
      sf += closes[closes.size() - 1 - k];
    for (int k = 0; k < slow; ++k)
      ss += closes[closes.size() - 1 - k];
    const int sign = (sf * slow > ss * fast) - (sf * slow < ss * fast);
    if (sign == 0) continue;
    const int prev = last_sign;
    last_sign = sign;
    if (prev == 0 || prev == sign) continue;
    ++signals;
    if (sign > 0 && pos.is_zero()) {
      const Decimal n = Decimal::mul(qty, c.close);
      if (cash >= n + Decimal::mul_ratio(n, fee_bps, 10'000)) pending = Side::buy;
    } else if (sign < 0 && pos.is_positive()) {
      pending = Side::sell;
    }
  }
  const Decimal final_equity = cash + Decimal::mul(pos, candles.back().close);
  peak = std::max(peak, final_equity);
  max_dd = std::max(max_dd, Decimal::div(peak - final_equity, peak).to_double());

  BacktestConfig cfg;
  cfg.data = {{"BTCUSDT", path, ""}};
  const auto r = run_backtest(cfg);
  EXPECT_EQ(r.candles, 1440u);
  EXPECT_EQ(r.signals, signals);
  EXPECT_EQ(r.fills, fills);
  EXPECT_EQ(r.trades, trades);
  EXPECT_EQ(r.wins, wins);
  EXPECT_EQ(r.fees, fees);
  EXPECT_EQ(r.final_cash, cash);
  EXPECT_EQ(r.final_equity, final_equity);
  EXPECT_DOUBLE_EQ(r.max_drawdown, max_dd);
  EXPECT_EQ(r.open_orders_at_end, pending ? 1u : 0u);
  EXPECT_GT(fills, 10u);  // the day really trades
}

TEST(BacktestRunner, RunsSeveralStrategiesAtOnceEachWithItsId) {
  TRADEBUS_REQUIRE_SHARED(path, "klines_csv/spot_1m/BTCUSDT-1m-2020-01-01.csv");
  auto signals_of = [&](std::vector<StrategySpec> specs) {
    BacktestConfig cfg;
    cfg.data = {{"BTCUSDT", path, ""}};
    cfg.strategies = std::move(specs);
    return run_backtest(cfg);
  };
  const StrategySpec fast{"sma_cross", "sma_5_20", {{"fast", "5"}, {"slow", "20"}}};
  const StrategySpec rsi{"rsi_reversion", "rsi_14", {}};
  const auto a = signals_of({fast});
  const auto b = signals_of({rsi});
  const auto both = signals_of({fast, rsi});
  EXPECT_EQ(both.strategies, (std::vector<std::string>{"sma_5_20", "rsi_14"}));
  EXPECT_EQ(both.signals, a.signals + b.signals);  // every strategy sees every candle
  EXPECT_GT(a.signals, 0u);
  EXPECT_GT(b.signals, 0u);
  bool saw_each = false;
  for (const auto& f : both.fills_sample)
    saw_each |= f.strategy_id == "rsi_14";
  EXPECT_TRUE(saw_each) << "fills carry the id of the strategy whose signal made the order";
  BacktestConfig dup;
  dup.strategies = {fast, fast};
  EXPECT_THROW(run_backtest(dup), ConfigError);  // ids must be unique
}
