#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "scenarios.hpp"
#include "tradebus/backtest/backtest_runner.hpp"
#include "tradebus/marketdata/kline_csv_writer.hpp"
#include "tradebus/marketdata/synthetic_market.hpp"

namespace tradebus::bench {
namespace {

// Pulls candles out of a SyntheticMarket without a bus.
class SyntheticRows : public SyntheticMarket {
 public:
  using SyntheticMarket::SyntheticMarket;
  bool pull(Candle& c) { return next(c); }
};

}  // namespace

double backtest_candles_per_s(std::uint64_t rows, int symbols, const std::string& dir) {
  std::filesystem::create_directories(dir);
  SyntheticMarketOptions mo;
  mo.symbols.clear();
  for (int i = 0; i < symbols; ++i)
    mo.symbols.push_back({fmt::format("S{:02}USDT", i), "100"});
  mo.candles_per_symbol = rows / static_cast<std::uint64_t>(symbols);
  SyntheticRows gen(mo);
  std::vector<std::ofstream> outs;
  BacktestConfig cfg;
  for (int i = 0; i < symbols; ++i) {
    const auto path = fmt::format("{}/S{:02}USDT-1m-bench.csv", dir, i);
    outs.emplace_back(path, std::ios::trunc);
    cfg.data.push_back({fmt::format("S{:02}USDT", i), path, ""});
  }
  Candle c;
  // Candles come out symbol-sorted per instant; S00.. sort like their file index.
  for (std::uint64_t k = 0; gen.pull(c); ++k)
    write_kline_csv_row(outs[k % static_cast<std::uint64_t>(symbols)], c);
  for (auto& o : outs)
    o.close();
  cfg.quantity = Decimal::from_int(1);
  cfg.capital = Decimal::from_int(1'000'000);
  const BacktestResult r = run_backtest(cfg);
  for (const auto& d : cfg.data)
    std::remove(d.path.c_str());
  return r.candles == mo.candles_per_symbol * static_cast<std::uint64_t>(symbols) ? r.candles_per_s
                                                                                  : 0;
}

}  // namespace tradebus::bench
