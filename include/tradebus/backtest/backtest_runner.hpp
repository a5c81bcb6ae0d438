// BacktestRunner: puts market data through the same TradingEngine, strategies, order manager
// and (paper) exchange that live trading uses, and measures how the strategies did.
// Equity = cash + sum of position x last close, marked once per timestamp after every candle
// of that open time was processed; max drawdown = max of (running peak - equity) / peak.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tradebus/backtest/backtest_config.hpp"
#include "tradebus/bus/event_bus.hpp"
#include "tradebus/engine/trading_engine.hpp"
#include "tradebus/execution/portfolio.hpp"
#include "tradebus/marketdata/candle_replay.hpp"
#include "tradebus/model/fill.hpp"
#include "tradebus/strategies/strategy_registry.hpp"

namespace tradebus {

struct SeriesPoint {
  std::int64_t time_ns = 0;
  double value = 0;
};

struct BacktestResult {
  std::uint64_t candles = 0;
  std::uint64_t signals = 0;
  std::uint64_t orders = 0;
  std::uint64_t fills = 0;
  std::uint64_t trades = 0;  ///< Completed round trips.
  std::uint64_t wins = 0;
  std::uint64_t rejected = 0;
  std::uint64_t open_orders_at_end = 0;
  std::uint64_t handler_errors = 0;
  Money fees;
  Money initial_capital;
  Money final_equity;
  Money final_cash;
  Money realized_pnl;
  Money unrealized_pnl;
  double max_drawdown = 0;
  double elapsed_s = 0;
  double candles_per_s = 0;
  std::array<std::uint64_t, 3> dropped{};  ///< Per lane (order, signal, data): 0 in a backtest.
  bool interrupted = false;
  std::string quote_currency;
  std::vector<std::string> symbols;
  std::vector<std::string> strategies;
  std::map<std::string, Quantity> positions;  ///< Held at the end, per symbol.

  // For the report (bounded: downsampled series, first fills and round trips).
  std::vector<SeriesPoint> equity_curve;
  std::vector<SeriesPoint> drawdown_curve;
  std::map<std::string, std::vector<SeriesPoint>> prices;
  std::vector<Fill> fills_sample;  ///< The first fills, for the table.
  std::vector<Fill> fill_markers;  ///< Fills spread evenly over the run, for the charts.
  std::vector<RoundTrip> round_trips_sample;
};

/// Seams for callers that feed or watch a backtest (journal replay, journaling, checks).
struct BacktestHooks {
  /// Replaces the config's data (files or synthetic market) when set.
  std::shared_ptr<CandleReplay> source;
  std::vector<std::string> symbols;  ///< The source's symbols (quote currency, report).
  /// Sees every dispatched event on the loop thread (a journal recorder).
  BusObserver* observer = nullptr;
  /// Called once the engine is wired, before it runs (to attach metrics, say).
  std::function<void(TradingEngine&, std::shared_ptr<const Portfolio>,
                     std::shared_ptr<const Exchange>)>
      on_engine;
  /// Called when the engine has stopped, before it is destroyed (to stop what on_engine
  /// attached).
  std::function<void()> after_run;
};

/// Called about five times a second from a monitor thread while a backtest runs.
using BacktestProgress = std::function<void(double fraction, std::uint64_t candles)>;

/// Runs one backtest, building strategies by name from `registry` (the built-ins by default;
/// add your own). Throws ConfigError, DataError or StrategyParamError for bad input, before
/// anything is written; the trades CSV is written atomically and only on success.
BacktestResult run_backtest(BacktestConfig config, const BacktestProgress& progress = {});
BacktestResult run_backtest(BacktestConfig config, const BacktestProgress& progress,
                            const StrategyRegistry& registry, const BacktestHooks& hooks = {});

/// One JSON object with the summary fields (no series).
std::string to_json(const BacktestResult& r, const BacktestConfig& config);
/// A readable summary table.
std::string to_text(const BacktestResult& r);

}  // namespace tradebus
