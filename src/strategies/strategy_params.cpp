#include "tradebus/strategies/strategy_params.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace tradebus {

const std::string* StrategyParams::find(const std::string& key) const {
  used_.insert(key);
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

std::int64_t StrategyParams::get_int(const std::string& key, std::int64_t fallback,
                                     std::int64_t min, std::int64_t max) const {
  const std::string* v = find(key);
  std::int64_t out = fallback;
  if (v) {
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || p != v->data() + v->size())
      throw StrategyParamError(
          fmt::format("{}: parameter '{}' must be an integer, got '{}'", strategy_, key, *v));
  }
  if (out < min || out > max)
    throw StrategyParamError(fmt::format("{}: parameter '{}' must be in [{}, {}], got {}",
                                         strategy_, key, min, max, out));
  return out;
}

double StrategyParams::get_double(const std::string& key, double fallback, double min,
                                  double max) const {
  const std::string* v = find(key);
  double out = fallback;
  if (v) {
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || p != v->data() + v->size() || !std::isfinite(out))
      throw StrategyParamError(
          fmt::format("{}: parameter '{}' must be a number, got '{}'", strategy_, key, *v));
  }
  if (out < min || out > max)
    throw StrategyParamError(fmt::format("{}: parameter '{}' must be in [{}, {}], got {}",
                                         strategy_, key, min, max, out));
  return out;
}

Decimal StrategyParams::get_decimal(const std::string& key, Decimal fallback) const {
  const std::string* v = find(key);
  if (!v) return fallback;
  if (auto d = Decimal::parse(*v)) return *d;
  throw StrategyParamError(
      fmt::format("{}: parameter '{}' must be a decimal, got '{}'", strategy_, key, *v));
}

std::string StrategyParams::get_string(const std::string& key, std::string fallback) const {
  const std::string* v = find(key);
  return v ? *v : fallback;
}

void StrategyParams::reject_unused() const {
  std::string unknown;
  for (const auto& [k, v] : values_)
    if (!used_.count(k)) unknown += (unknown.empty() ? "" : ", ") + k;
  if (unknown.empty()) return;
  std::string known;
  for (const auto& k : used_)
    known += (known.empty() ? "" : ", ") + k;
  throw StrategyParamError(fmt::format("{}: unknown parameter(s) {}; known: {}", strategy_, unknown,
                                       known.empty() ? "(none)" : known));
}

}  // namespace tradebus
