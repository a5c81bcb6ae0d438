// TradingSnapshot: the books as the dashboard and /metrics see them, copied on the loop thread.
#include <gtest/gtest.h>

#include "tradebus/backtest/backtest_runner.hpp"
#include "tradebus/observability/engine_metrics.hpp"

using namespace tradebus;

TEST(TradingSnapshot, TheCopyAfterTheLastEventMatchesTheBooksToTheCent) {
  // A fill every 13 candles or so (thousands inside each refresh period), then sma_cross's
  // defaults: few fills, so the last events are candles that only move the marks.
  for (const auto& [fast, slow] : {std::pair{"2", "3"}, std::pair{"10", "30"}}) {
    SCOPED_TRACE(std::string("fast ") + fast + ", slow " + slow);
    BacktestConfig cfg;  // the synthetic market
    cfg.synthetic.candles_per_symbol = 20000;
    cfg.strategies[0].params = {{"fast", fast}, {"slow", slow}};
    std::unique_ptr<TradingSnapshot> snapshot;
    TradingSnapshot::Data seen;
    BacktestHooks hooks;
    hooks.on_engine = [&](TradingEngine& engine, std::shared_ptr<const Portfolio> portfolio,
                          std::shared_ptr<const Exchange> exchange) {
      snapshot = std::make_unique<TradingSnapshot>(engine, std::move(portfolio),
                                                   std::move(exchange), "USDT");
    };
    hooks.after_run = [&] { seen = snapshot->data(); };
    const auto r = run_backtest(cfg, {}, StrategyRegistry::with_builtins(), hooks);
    ASSERT_GT(r.fills, 100u);
    EXPECT_EQ(seen.cash.to_string(), r.final_cash.to_string());
    EXPECT_EQ(seen.equity.to_string(), r.final_equity.to_string());
    EXPECT_EQ(seen.realized_pnl.to_string(), r.realized_pnl.to_string());
    EXPECT_EQ(seen.fees.to_string(), r.fees.to_string());
    ASSERT_EQ(seen.positions.size(), r.positions.size());
    for (const auto& p : seen.positions) {
      ASSERT_TRUE(r.positions.count(p.symbol)) << p.symbol;
      EXPECT_EQ(p.quantity.to_string(), r.positions.at(p.symbol).to_string()) << p.symbol;
    }
    EXPECT_GT(seen.updated_ns, 0);
  }
}
