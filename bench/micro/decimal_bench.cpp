#include <benchmark/benchmark.h>

#include "tradebus/model/decimal.hpp"

using tradebus::Decimal;

static void BM_DecimalParse(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(Decimal::parse("117458.48000000"));
}
BENCHMARK(BM_DecimalParse);

static void BM_DecimalToString(benchmark::State& state) {
  const Decimal d = Decimal::from_string("117458.48");
  for (auto _ : state)
    benchmark::DoNotOptimize(d.to_string());
}
BENCHMARK(BM_DecimalToString);

static void BM_DecimalMul(benchmark::State& state) {
  const Decimal a = Decimal::from_string("117458.48"), b = Decimal::from_string("0.01");
  for (auto _ : state)
    benchmark::DoNotOptimize(Decimal::mul(a, b));
}
BENCHMARK(BM_DecimalMul);
