#include <benchmark/benchmark.h>

#include "scenarios.hpp"

namespace tb = tradebus::bench;

static void BM_BusThroughputBusySpin(benchmark::State& state) {
  for (auto _ : state)
    state.counters["eps"] = tb::bus_throughput_eps(tradebus::WaitStrategy::busy_spin, 2'000'000);
}
BENCHMARK(BM_BusThroughputBusySpin)->Unit(benchmark::kMillisecond)->Iterations(3);

static void BM_BusThroughputBlocking(benchmark::State& state) {
  for (auto _ : state)
    state.counters["eps"] = tb::bus_throughput_eps(tradebus::WaitStrategy::blocking, 2'000'000);
}
BENCHMARK(BM_BusThroughputBlocking)->Unit(benchmark::kMillisecond)->Iterations(3);

static void BM_BusSameThread(benchmark::State& state) {
  for (auto _ : state)
    state.counters["eps"] = tb::same_thread_eps(2'000'000);
}
BENCHMARK(BM_BusSameThread)->Unit(benchmark::kMillisecond)->Iterations(3);

static void BM_RingSkeletonSameThread(benchmark::State& state) {
  for (auto _ : state)
    state.counters["eps"] = tb::ring_skeleton_same_thread_eps(2'000'000);
}
BENCHMARK(BM_RingSkeletonSameThread)->Unit(benchmark::kMillisecond)->Iterations(3);

static void BM_Pipeline(benchmark::State& state) {
  for (auto _ : state)
    state.counters["candles_per_s"] = tb::pipeline_candles_per_s(1'000'000);
}
BENCHMARK(BM_Pipeline)->Unit(benchmark::kMillisecond)->Iterations(3);

static void BM_MachineFloor(benchmark::State& state) {
  for (auto _ : state) {
    const auto f = tb::measure_machine_floor(5'000'000, 200'000);
    state.counters["same_thread_eps"] = f.same_thread_eps;
    state.counters["cross_thread_eps"] = f.cross_thread_eps;
    state.counters["one_way_ns"] = f.one_way_latency_ns;
  }
}
BENCHMARK(BM_MachineFloor)->Unit(benchmark::kMillisecond)->Iterations(1);
