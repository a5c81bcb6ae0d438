// Backtest/paper/live TOML configs: any bytes load or give a ConfigError, never a crash.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "tradebus/backtest/backtest_config.hpp"
#include "tradebus/strategies/strategy_params.hpp"
#include "tradebus/strategies/strategy_registry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/tradebus-fuzz-" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    tradebus::BacktestConfig cfg = tradebus::load_backtest_config(path);
    cfg.validate();
    const auto registry = tradebus::StrategyRegistry::with_builtins();
    for (const auto& s : cfg.strategies)
      (void)registry.create(s.name, s.id, tradebus::StrategyParams(s.name, s.params));
  } catch (const tradebus::ConfigError&) {
  } catch (const tradebus::StrategyParamError&) {
  }
  return 0;
}
