// StrategyParams: key/value parameters of a strategy, from flags (--param k=v) or config.
// Every getter names the strategy and key in its error, and unused keys are reported.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "tradebus/model/decimal.hpp"

namespace tradebus {

class StrategyParamError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class StrategyParams {
 public:
  StrategyParams() = default;
  explicit StrategyParams(std::string strategy, std::map<std::string, std::string> values = {})
      : strategy_(std::move(strategy)), values_(std::move(values)) {}

  void set(const std::string& key, std::string value) { values_[key] = std::move(value); }
  bool has(const std::string& key) const { return values_.count(key) != 0; }

  /// The integer at `key` (or `fallback` when absent) within [min, max]; throws
  /// StrategyParamError naming the strategy, key and value otherwise.
  std::int64_t get_int(const std::string& key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) const;
  double get_double(const std::string& key, double fallback, double min, double max) const;
  Decimal get_decimal(const std::string& key, Decimal fallback) const;
  std::string get_string(const std::string& key, std::string fallback) const;
  /// Throws StrategyParamError listing keys no getter asked for (typos).
  void reject_unused() const;

  const std::string& strategy() const { return strategy_; }
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  const std::string* find(const std::string& key) const;
  std::string strategy_;
  std::map<std::string, std::string> values_;
  mutable std::set<std::string> used_;
};

}  // namespace tradebus
