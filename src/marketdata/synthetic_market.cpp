#include "tradebus/marketdata/synthetic_market.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tradebus {
namespace {
constexpr double kTwoPi = 6.283185307179586;
}

SyntheticMarket::SyntheticMarket(SyntheticMarketOptions options)
    : options_(std::move(options)), rng_(options_.seed * 0x9E3779B97F4A7C15ULL + 1) {
  if (options_.symbols.empty()) throw std::invalid_argument("synthetic market: no symbols");
  if (options_.interval_ms <= 0) throw std::invalid_argument("synthetic market: bad interval");
  for (const auto& s : options_.symbols) {
    const Decimal start = Decimal::from_string(s.start_price);
    if (!start.is_positive())
      throw std::invalid_argument("synthetic market: start price must be > 0");
    states_.push_back(State{Symbol(s.symbol), start.to_double(), 0, 0, 0.0008, start.to_double()});
  }
  std::sort(states_.begin(), states_.end(),
            [](const State& a, const State& b) { return a.symbol < b.symbol; });
}

std::uint64_t SyntheticMarket::rand_u64() {  // splitmix64: exact on every platform
  std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double SyntheticMarket::rand_unit() {
  return (static_cast<double>(rand_u64() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double SyntheticMarket::rand_normal() {
  return std::sqrt(-2.0 * std::log(rand_unit())) * std::cos(kTwoPi * rand_unit());
}

std::uint64_t SyntheticMarket::total_candles() const {
  return options_.candles_per_symbol * states_.size();
}

double SyntheticMarket::progress() const {
  const auto total = total_candles();
  return total == 0 ? 1.0 : static_cast<double>(published()) / static_cast<double>(total);
}

bool SyntheticMarket::next(Candle& out) {
  if (step_ >= total_candles()) return false;
  const std::uint64_t bar = step_ / states_.size();
  State& s = states_[step_ % states_.size()];
  ++step_;

  if (s.regime_left == 0) {  // a new regime: trend up, trend down or range, for a while
    const double r = rand_unit();
    s.regime = r < 0.35 ? 1 : r < 0.65 ? -1 : 0;
    s.regime_left = 120 + rand_u64() % 1500;
    s.volatility = 0.0004 + 0.0012 * rand_unit();
    s.anchor = s.price;
  }
  --s.regime_left;
  const double drift =
      s.regime == 0 ? 0.02 * std::log(s.anchor / s.price) : s.regime * s.volatility * 0.12;
  const double open = s.price;
  const double close = open * std::exp(drift + s.volatility * rand_normal());
  const double wick_up = std::fabs(rand_normal()) * s.volatility * 0.6;
  const double wick_dn = std::fabs(rand_normal()) * s.volatility * 0.6;
  const double high = std::max(open, close) * (1 + wick_up);
  const double low = std::min(open, close) * (1 - wick_dn);
  s.price = close;

  auto tick = [](double v) {  // to 0.01, never below one tick
    const double cents = std::max(1.0, std::round(v * 100.0));
    return Decimal::from_raw(static_cast<std::int64_t>(cents) * 1'000'000);
  };
  out.symbol = s.symbol;
  out.interval = Interval::truncated(options_.interval);
  const std::int64_t open_ms =
      options_.start_time_ms + static_cast<std::int64_t>(bar) * options_.interval_ms;
  out.open_time_ns = open_ms * 1'000'000;
  out.close_time_ns = (open_ms + options_.interval_ms - 1) * 1'000'000;
  out.open = tick(open);
  out.close = tick(close);
  out.high = std::max({tick(high), out.open, out.close});
  out.low = std::min({tick(low), out.open, out.close});
  const double base_volume =
      (5.0 + 50.0 * rand_unit()) * (1.0 + 200.0 * s.volatility * std::fabs(rand_normal()));
  out.volume = Decimal::from_raw(static_cast<std::int64_t>(base_volume * 1e5) * 1000);
  out.quote_volume =
      Decimal::mul(out.volume, Decimal::from_raw((out.high.raw() + out.low.raw()) / 2));
  out.trade_count = 50 + static_cast<std::int64_t>(rand_u64() % 2000);
  out.taker_buy_base_volume = Decimal::from_raw(out.volume.raw() / 2);
  out.taker_buy_quote_volume = Decimal::from_raw(out.quote_volume.raw() / 2);
  return true;
}

}  // namespace tradebus
