// BacktestConfig: everything a backtest run needs, from a TOML file and/or CLI flags.
// See examples/backtest.toml for every key.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "tradebus/execution/default_order_manager.hpp"
#include "tradebus/execution/paper_exchange.hpp"
#include "tradebus/marketdata/kline_csv_source.hpp"
#include "tradebus/marketdata/synthetic_market.hpp"
#include "tradebus/model/decimal.hpp"

namespace tradebus {

/// A bad config file, key or value; what() names the file, line and key.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StrategySpec {
  std::string name = "sma_cross";
  std::string id;  ///< Empty: the name.
  std::map<std::string, std::string> params;
};

struct BacktestConfig {
  std::vector<KlineFileSpec> data;  ///< Empty: the synthetic market.
  SyntheticMarketOptions synthetic;
  std::vector<StrategySpec> strategies{StrategySpec{}};
  Quantity quantity = Decimal::from_raw(1'000'000);  ///< 0.01
  Money capital = Decimal::from_int(10'000);
  std::int64_t fee_bps = 10;
  std::int64_t slippage_bps = 0;
  Quantity max_position;    ///< 0: no limit
  Money max_notional;       ///< 0: no limit
  std::string report_path;  ///< Empty: no HTML report.
  std::string trades_path;  ///< Empty: no trades CSV.
  double speed = 0;         ///< 0: as fast as possible; else x market time.
  /// "[ADDR:]PORT" for the metrics server and dashboard (--serve); empty: none.
  std::string serve;
  std::size_t report_points = 2000;  ///< Points kept per chart series (downsampled).
  std::string quote_currency;        ///< Derived from the symbols by validate().

  /// Parses "SYMBOL=PATH" or "PATH" (symbol from the file name); throws ConfigError.
  static KlineFileSpec parse_data_arg(const std::string& arg);
  /// Parses "key=value"; throws ConfigError.
  static std::pair<std::string, std::string> parse_param_arg(const std::string& arg);
  /// Checks values and that all symbols share one quote currency (the capital's); throws
  /// ConfigError naming what is wrong.
  void validate();

  /// Order size and risk limits as configured; the caller adds exchange rules and the id
  /// prefix. One place, so a backtest and a paper or live run of a config size orders alike.
  OrderManagerOptions order_manager_options() const;
  /// The paper exchange's fee, slippage and quote currency as configured.
  PaperExchangeOptions paper_exchange_options() const;
};

/// Loads `path` over `base`; throws ConfigError for a syntax error (with line and column), an
/// unknown key, or a value of the wrong type or range.
BacktestConfig load_backtest_config(const std::string& path, BacktestConfig base = {});

}  // namespace tradebus
