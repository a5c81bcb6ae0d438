// StrategyRegistry: builds strategies by name ("sma_cross", "rsi_reversion", "breakout"), so
// the CLI and config files can choose them; users may register their own.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tradebus/engine/strategy.hpp"
#include "tradebus/strategies/strategy_params.hpp"

namespace tradebus {

class StrategyRegistry {
 public:
  using Factory =
      std::function<std::unique_ptr<Strategy>(std::string id, const StrategyParams& params)>;

  /// A registry holding the built-in strategies.
  static StrategyRegistry with_builtins();

  void add(std::string name, std::string description, Factory factory);
  /// Builds `name` with id `id` (defaults to the name). Throws StrategyParamError for an unknown
  /// name (listing the known ones), a bad parameter, or an unused parameter key.
  std::unique_ptr<Strategy> create(const std::string& name, const std::string& id,
                                   const StrategyParams& params) const;
  std::vector<std::string> names() const;
  std::string description(const std::string& name) const;

 private:
  struct Entry {
    std::string description;
    Factory factory;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace tradebus
