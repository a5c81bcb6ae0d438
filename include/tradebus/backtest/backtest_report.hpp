// The HTML report of a backtest: one self-contained file (inline SVG and CSS, no scripts or
// fonts from elsewhere) with the equity curve, drawdown, price per symbol with trade markers,
// and the summary and trades tables.
#pragma once

#include <string>

#include "tradebus/backtest/backtest_runner.hpp"

namespace tradebus {

std::string render_backtest_report(const BacktestResult& result, const BacktestConfig& config);
/// Renders and writes atomically; throws std::runtime_error naming the path on failure.
void write_backtest_report(const std::string& path, const BacktestResult& result,
                           const BacktestConfig& config);

}  // namespace tradebus
