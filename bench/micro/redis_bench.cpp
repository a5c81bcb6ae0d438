#include <filesystem>

#include <benchmark/benchmark.h>

#include "scenarios.hpp"

namespace tb = tradebus::bench;

// Collector -> strategy member through a redis-server started for the run (needs redis-server
// and redis-benchmark on PATH's usual places; counters are -1 without them).
static void BM_RedisCollectorToStrategy(benchmark::State& state) {
  const auto dir = (std::filesystem::temp_directory_path() / "tradebus-redis-bench").string();
  for (auto _ : state) {
    const auto f = tb::redis_transport(200'000, dir);
    state.counters["events_per_s"] = f.events_per_s;
    state.counters["events_per_s_one_per_entry"] = f.events_per_s_one_per_entry;
    state.counters["latency_p50_us"] = f.latency_p50_us;
    state.counters["redis_benchmark_xadd_per_s"] = f.redis_benchmark_xadd_per_s;
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RedisCollectorToStrategy)->Unit(benchmark::kMillisecond)->Iterations(1);
