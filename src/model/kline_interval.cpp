#include "tradebus/model/kline_interval.hpp"

#include <array>
#include <string>
#include <utility>

namespace tradebus {
namespace {

constexpr std::array<std::pair<std::string_view, std::int64_t>, 16> kIntervals{{
    {"1s", 1'000},
    {"1m", 60'000},
    {"3m", 180'000},
    {"5m", 300'000},
    {"15m", 900'000},
    {"30m", 1'800'000},
    {"1h", 3'600'000},
    {"2h", 7'200'000},
    {"4h", 14'400'000},
    {"6h", 21'600'000},
    {"8h", 28'800'000},
    {"12h", 43'200'000},
    {"1d", 86'400'000},
    {"3d", 259'200'000},
    {"1w", 604'800'000},
    {"1M", 2'592'000'000},
}};

}  // namespace

std::optional<std::int64_t> interval_length_ms(std::string_view name) noexcept {
  for (const auto& [n, ms] : kIntervals)
    if (n == name) return ms;
  return std::nullopt;
}

std::string_view interval_of_length_ms(std::int64_t ms) noexcept {
  for (const auto& [n, len] : kIntervals)
    if (len == ms) return n;
  return {};
}

std::string_view interval_names() noexcept {
  static const std::string names = [] {
    std::string s;
    for (const auto& [n, ms] : kIntervals)
      s.append(s.empty() ? "" : " ").append(n);
    return s;
  }();
  return names;
}

}  // namespace tradebus
