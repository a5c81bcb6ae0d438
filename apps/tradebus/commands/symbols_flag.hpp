// --symbols BTCUSDT,ETHUSDT as the trading commands read it.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tradebus/backtest/backtest_config.hpp"

namespace tradebus::cli {

/// Upper-cased symbols; throws ConfigError for an empty list or an empty item.
inline std::vector<std::string> split_symbols(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string s;
  while (std::getline(ss, s, ',')) {
    for (char& c : s)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (s.empty()) throw ConfigError(fmt::format("--symbols '{}': an empty symbol", text));
    out.push_back(s);
  }
  if (out.empty()) throw ConfigError("--symbols: give at least one symbol, like BTCUSDT,ETHUSDT");
  return out;
}

}  // namespace tradebus::cli
