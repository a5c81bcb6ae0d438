#include "tradebus/strategies/strategy_registry.hpp"

#include <fmt/format.h>

#include "tradebus/strategies/breakout.hpp"
#include "tradebus/strategies/rsi_reversion.hpp"
#include "tradebus/strategies/sma_cross.hpp"

namespace tradebus {

StrategyRegistry StrategyRegistry::with_builtins() {
  StrategyRegistry r;
  r.add("sma_cross", "fast/slow simple moving average cross (params: fast=10, slow=30)",
        [](std::string id, const StrategyParams& p) {
          return SmaCross::from_params(std::move(id), p);
        });
  r.add("rsi_reversion",
        "Wilder RSI mean reversion (params: period=14, oversold=30, overbought=70)",
        [](std::string id, const StrategyParams& p) {
          return RsiReversion::from_params(std::move(id), p);
        });
  r.add("breakout", "Donchian channel breakout (params: lookback=20)",
        [](std::string id, const StrategyParams& p) {
          return Breakout::from_params(std::move(id), p);
        });
  return r;
}

void StrategyRegistry::add(std::string name, std::string description, Factory factory) {
  entries_[std::move(name)] = Entry{std::move(description), std::move(factory)};
}

std::unique_ptr<Strategy> StrategyRegistry::create(const std::string& name, const std::string& id,
                                                   const StrategyParams& params) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    std::string known;
    for (const auto& n : names())
      known += (known.empty() ? "" : ", ") + n;
    throw StrategyParamError(
        fmt::format("unknown strategy '{}'; known strategies: {}", name, known));
  }
  const std::string& sid = id.empty() ? name : id;
  if (sid.size() > ShortId::kMaxSize)
    throw StrategyParamError(
        fmt::format("strategy id '{}' is longer than {} characters", sid, ShortId::kMaxSize));
  StrategyParams named(name, params.values());
  auto s = it->second.factory(sid, named);
  named.reject_unused();
  return s;
}

std::vector<std::string> StrategyRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : entries_)
    out.push_back(n);
  return out;
}

std::string StrategyRegistry::description(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? std::string() : it->second.description;
}

}  // namespace tradebus
