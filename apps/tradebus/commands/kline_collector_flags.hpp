// The Binance kline collector as paper, live and collect build it from their market-data flags.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tradebus/adapters/binance/kline_collector.hpp"
#include "tradebus/backtest/backtest_config.hpp"

namespace tradebus::cli {

/// Throws ConfigError for options the collector refuses (bad URL, interval).
inline std::shared_ptr<binance::KlineCollector> make_kline_collector(
    const std::vector<std::string>& symbols, const std::string& interval, const std::string& ws_url,
    const std::string& rest_url, const std::string& ca_file, std::uint64_t max_candles) {
  binance::KlineCollectorOptions co;
  co.symbols = symbols;
  co.interval = interval;
  co.ws_url = ws_url;
  co.rest_url = rest_url;
  co.max_candles = max_candles;
  co.ca_file = ca_file;
  try {
    return std::make_shared<binance::KlineCollector>(co);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
}

}  // namespace tradebus::cli
