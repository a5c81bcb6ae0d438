#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>

#include "tradebus/marketdata/kline_csv_reader.hpp"

static void BM_KlineCsvRead(benchmark::State& state) {
  const char* path = "/tmp/tradebus_kline_bench.csv";
  {
    std::ofstream out(path);
    for (int i = 0; i < 100000; ++i)
      out << 1577836800000LL + i * 60000LL
          << ",7195.24000000,7196.25000000,7183.14000000,7186.68000000,51.64281200,"
          << 1577836859999LL + i * 60000LL
          << ",371233.51835535,493,19.59823000,140888.41428273,0\n";
  }
  for (auto _ : state) {
    tradebus::KlineCsvReader r(path, "BTCUSDT");
    tradebus::Candle c;
    std::size_t n = 0;
    while (r.next(c))
      ++n;
    benchmark::DoNotOptimize(n);
    state.SetItemsProcessed(state.items_processed() + static_cast<std::int64_t>(n));
  }
  std::remove(path);
}
BENCHMARK(BM_KlineCsvRead)->Unit(benchmark::kMillisecond);
