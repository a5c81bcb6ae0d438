// The strategy, sizing and risk flags that backtest, paper and live share, and how they override
// a TOML config.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "tradebus/backtest/backtest_config.hpp"

namespace tradebus::cli {

struct StrategyFlags {
  std::string strategy, strategy_id;
  std::optional<int> fast, slow;
  std::vector<std::string> params;
  std::string quantity, capital, max_position, max_notional;
  std::optional<std::int64_t> fee_bps, slippage_bps;

  void add_to(CLI::App* cmd, const char* capital_help) {
    cmd->add_option("--strategy", strategy, "sma_cross, rsi_reversion or breakout");
    cmd->add_option("--strategy-id", strategy_id, "id copied into signals and orders");
    cmd->add_option("--fast", fast, "sma_cross fast window (10)");
    cmd->add_option("--slow", slow, "sma_cross slow window (30)");
    cmd->add_option("--param", params, "strategy parameter key=value (repeatable)");
    cmd->add_option("--quantity", quantity, "order quantity (0.01)");
    cmd->add_option("--capital", capital, capital_help);
    cmd->add_option("--fee-bps", fee_bps, "fee in basis points of notional (10)");
    cmd->add_option("--slippage-bps", slippage_bps, "paper exchange slippage in basis points (0)");
    cmd->add_option("--max-position", max_position, "max position per symbol (none)");
    cmd->add_option("--max-notional", max_notional, "max notional per order (none)");
  }

  /// Flags win over the config file; strategy flags describe one strategy and replace the
  /// file's list, starting from its first entry. Throws ConfigError.
  void apply_to(BacktestConfig& cfg) const {
    if (!strategy.empty() || fast || slow || !params.empty() || !strategy_id.empty()) {
      StrategySpec spec = cfg.strategies.empty() ? StrategySpec{} : cfg.strategies.front();
      if (!strategy.empty() && strategy != spec.name) spec = StrategySpec{strategy, "", {}};
      if (!strategy_id.empty()) spec.id = strategy_id;
      if (fast) spec.params["fast"] = std::to_string(*fast);
      if (slow) spec.params["slow"] = std::to_string(*slow);
      for (const auto& p : params) {
        auto [k, v] = BacktestConfig::parse_param_arg(p);
        spec.params[k] = v;
      }
      cfg.strategies = {spec};
    }
    if (!quantity.empty()) cfg.quantity = decimal("--quantity", quantity);
    if (!capital.empty()) cfg.capital = decimal("--capital", capital);
    if (!max_position.empty()) cfg.max_position = decimal("--max-position", max_position);
    if (!max_notional.empty()) cfg.max_notional = decimal("--max-notional", max_notional);
    if (fee_bps) cfg.fee_bps = *fee_bps;
    if (slippage_bps) cfg.slippage_bps = *slippage_bps;
  }

  static Decimal decimal(const std::string& flag, const std::string& text) {
    if (auto d = Decimal::parse(text)) return *d;
    throw ConfigError(fmt::format("{} '{}': not a decimal number (up to 8 places)", flag, text));
  }
};

}  // namespace tradebus::cli
