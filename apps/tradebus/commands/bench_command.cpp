// `tradebus bench`: measures the bus and the engine beside this machine's floor, in one run.
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "scenarios.hpp"
#include "tradebus/model/event_json.hpp"

namespace tradebus::cli {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

struct BenchFlags {
  bool json = false;
  bool quick = false;
  std::string dir;
};

int run_bench_command(const BenchFlags& f) {
  const std::uint64_t scale = f.quick ? 10 : 1;
  const std::string dir =
      f.dir.empty()
          ? (std::filesystem::temp_directory_path() / fmt::format("tradebus-bench-{}", ::getpid()))
                .string()
          : f.dir;
  auto step = [&](const char* what) {
    if (!f.json) fmt::print(stderr, "measuring {} ...\n", what);
  };
  // RSS first, before other scenarios grow the heap.
  step("rss with full queues");
  const double rss = bench::rss_mb_full_queues();
  // The floor moves when the hypervisor moves the two vCPUs (same or separate physical cores),
  // so each floor figure is measured right before the bus figure it is compared with.
  bench::MachineFloor floor;
  step("machine floor (cross-thread) + bus throughput (busy-spin)");
  floor.cross_thread_eps = bench::measure_machine_floor(20'000'000 / scale, 1'000).cross_thread_eps;
  const double thr_spin = bench::bus_throughput_eps(WaitStrategy::busy_spin, 20'000'000 / scale);
  step("bus throughput (blocking)");
  const double thr_block = bench::bus_throughput_eps(WaitStrategy::blocking, 20'000'000 / scale);
  step("machine floor (same thread) + same-thread publish and dispatch + ring skeleton");
  floor.same_thread_eps = bench::measure_machine_floor(50'000'000 / scale, 1'000).same_thread_eps;
  const double same = bench::same_thread_eps(20'000'000 / scale);
  const double skeleton = bench::ring_skeleton_same_thread_eps(20'000'000 / scale);
  step("machine floor (one-way) + latency");
  floor.one_way_latency_ns =
      bench::measure_machine_floor(1'000, 1'000'000 / scale).one_way_latency_ns;
  const auto lat = bench::bus_latency(1'000'000 / scale);
  step("pipeline");
  const double pipe = bench::pipeline_candles_per_s(5'000'000 / scale);
  step("shutdown with full queues");
  const double shut = bench::shutdown_ms_full_queues();
  step("backtest, 1 symbol");
  const double bt1 = bench::backtest_candles_per_s(1'000'000 / scale, 1, dir);
  step("backtest, 10 symbols");
  const double bt10 = bench::backtest_candles_per_s(1'000'000 / scale, 10, dir);
  step("event journal, batch fsync");
  const double journal = bench::journal_events_per_s(5'000'000 / scale, dir);
  step("durable orders (outbox + persistent paper exchange), then a restart on them");
  const auto durable = bench::durable_orders(400'000 / scale, dir);
  step("recovery of 10k open orders");
  const double recovery = bench::recovery_ms_open_orders(10'000, dir);
  step("bus throughput with /metrics scraped every 100 ms");
  const auto metrics_cost = bench::bus_throughput_metrics_cost(20'000'000 / scale);
  step("/metrics scrape, 50 symbols");
  const double scrape_ms = bench::metrics_scrape_ms(50);
  step("binance kline message parsing");
  const double ws = bench::ws_kline_parse_per_s(2'000'000 / scale);
  step("binance REST order round trip (fake on loopback)");
  const double rest_us = bench::rest_order_roundtrip_p50_us(5'000 / scale);
  step("stream outage to first backfilled candle");
  const auto reconnect = bench::reconnect_to_backfill_ms();
  step("collector -> strategy over a local Redis");
  const auto rf = bench::redis_transport(400'000 / scale, dir + "/redis");
  if (!rf.note.empty()) std::cerr << "redis: " << rf.note << "\n";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);

  const std::string json = fmt::format(
      R"({{"machine":{{"cpu":"{}","cores":{}}},"machine_floor":{{"same_thread_eps":{:.0f},"cross_thread_eps":{:.0f},"one_way_latency_ns":{:.1f}}},)"
      R"("bus_throughput_eps":{:.0f},"bus_throughput_blocking_eps":{:.0f},"same_thread_eps":{:.0f},"same_thread_ring_skeleton_eps":{:.0f},)"
      R"("latency_p50_ns":{:.0f},"latency_p99_ns":{:.0f},"latency_max_ns":{:.0f},)"
      R"("pipeline_candles_per_s":{:.0f},"rss_mb_full_queues":{:.2f},"shutdown_ms_full_queues":{:.3f},)"
      R"("backtest_candles_per_s":{:.0f},"backtest_candles_per_s_10_symbols":{:.0f},"ws_kline_parse_per_s":{:.0f},)"
      R"("rest_order_roundtrip_p50_us":{:.1f},"reconnect_to_backfill_ms":{:.1f},"outage_end_to_backfill_ms":{:.1f},"journal_events_per_s":{:.0f},)"
      R"("durable_orders_per_s":{:.0f},"restart_ms_after_durable_run":{:.1f},"durable_run_orders":{},"recovery_ms_10k_open_orders":{:.1f},)"
      R"("bus_throughput_eps_metrics_off":{:.0f},"bus_throughput_eps_metrics_on":{:.0f},"metrics_cost_pct":{:.1f},"metrics_scrape_ms_50_symbols":{:.3f},)"
      R"("redis_events_per_s":{:.0f},"redis_events_per_s_one_per_entry":{:.0f},"redis_latency_p50_us":{:.1f},"redis_benchmark_xadd_per_s":{:.0f},"redis_vs_redis_benchmark":{:.3f},"redis_pipeline":{},"redis_entry_bytes":{},)"
      R"("ratios":{{"bus_throughput_vs_cross_thread_floor":{:.3f},"same_thread_vs_floor":{:.3f},"same_thread_vs_ring_skeleton":{:.3f},"latency_p50_vs_one_way_floor":{:.2f}}},"quick":{}}})",
      json_escape(cpu_model()), std::thread::hardware_concurrency(), floor.same_thread_eps,
      floor.cross_thread_eps, floor.one_way_latency_ns, thr_spin, thr_block, same, skeleton,
      lat.p50_ns, lat.p99_ns, lat.max_ns, pipe, rss, shut, bt1, bt10, ws, rest_us,
      reconnect.from_reconnect_ms, reconnect.from_server_back_ms, journal, durable.orders_per_s,
      durable.restart_ms, durable.orders, recovery, metrics_cost.off_eps, metrics_cost.on_eps,
      100.0 * (1.0 - metrics_cost.on_eps / metrics_cost.off_eps), scrape_ms, rf.events_per_s,
      rf.events_per_s_one_per_entry, rf.latency_p50_us, rf.redis_benchmark_xadd_per_s,
      rf.redis_benchmark_xadd_per_s > 0 ? rf.events_per_s / rf.redis_benchmark_xadd_per_s : -1.0,
      rf.batch, rf.entry_bytes, thr_spin / floor.cross_thread_eps, same / floor.same_thread_eps,
      same / skeleton, lat.p50_ns / floor.one_way_latency_ns, f.quick);
  if (f.json) {
    std::cout << json << std::endl;
  } else {
    fmt::print("machine: {} ({} cores)\n", cpu_model(), std::thread::hardware_concurrency());
    fmt::print("{:<34} {:>16} {:>16}\n", "figure", "tradebus", "machine floor");
    fmt::print("{:<34} {:>16.0f} {:>16.0f}\n", "bus_throughput_eps (spin)", thr_spin,
               floor.cross_thread_eps);
    fmt::print("{:<34} {:>16.0f} {:>16}\n", "bus_throughput_blocking_eps", thr_block, "");
    fmt::print("{:<34} {:>16.0f} {:>16.0f}\n", "same_thread_eps", same, floor.same_thread_eps);
    fmt::print("{:<34} {:>16.0f}\n", "same_thread_ring_skeleton_eps", skeleton);
    fmt::print("{:<34} {:>16.0f} {:>16.1f}\n", "latency_p50_ns", lat.p50_ns,
               floor.one_way_latency_ns);
    fmt::print("{:<34} {:>16.0f}\n", "latency_p99_ns", lat.p99_ns);
    fmt::print("{:<34} {:>16.0f}\n", "latency_max_ns", lat.max_ns);
    fmt::print("{:<34} {:>16.0f}\n", "pipeline_candles_per_s", pipe);
    fmt::print("{:<34} {:>16.2f}\n", "rss_mb_full_queues", rss);
    fmt::print("{:<34} {:>16.3f}\n", "shutdown_ms_full_queues", shut);
    fmt::print("{:<34} {:>16.0f}\n", "backtest_candles_per_s", bt1);
    fmt::print("{:<34} {:>16.0f}\n", "backtest_candles_per_s_10_symbols", bt10);
    fmt::print("{:<34} {:>16.0f}\n", "ws_kline_parse_per_s", ws);
    fmt::print("{:<34} {:>16.1f}\n", "rest_order_roundtrip_p50_us", rest_us);
    fmt::print("{:<34} {:>16.1f}\n", "reconnect_to_backfill_ms", reconnect.from_reconnect_ms);
    fmt::print("{:<34} {:>16.1f}\n", "outage_end_to_backfill_ms", reconnect.from_server_back_ms);
    fmt::print("{:<34} {:>16.0f}\n", "journal_events_per_s", journal);
    fmt::print("{:<34} {:>16.0f}\n", "durable_orders_per_s", durable.orders_per_s);
    fmt::print("{:<34} {:>16.1f}  ({} orders of history)\n", "restart_ms_after_durable_run",
               durable.restart_ms, durable.orders);
    fmt::print("{:<34} {:>16.1f}\n", "recovery_ms_10k_open_orders", recovery);
    fmt::print("{:<34} {:>16.0f}\n", "bus_throughput_eps_metrics_off", metrics_cost.off_eps);
    fmt::print("{:<34} {:>16.0f}\n", "bus_throughput_eps_metrics_on", metrics_cost.on_eps);
    fmt::print("{:<34} {:>16.3f}\n", "metrics_scrape_ms_50_symbols", scrape_ms);
    fmt::print("{:<34} {:>16.0f} {:>16.0f}  (redis-benchmark XADD, -P {})\n", "redis_events_per_s",
               rf.events_per_s, rf.redis_benchmark_xadd_per_s, rf.batch);
    fmt::print("{:<34} {:>16.0f}\n", "redis_events_per_s_one_per_entry",
               rf.events_per_s_one_per_entry);
    fmt::print("{:<34} {:>16.1f}\n", "redis_latency_p50_us", rf.latency_p50_us);
  }
  return (thr_spin > 0 && pipe > 0 && bt1 > 0 && bt10 > 0 && ws > 0 && rest_us > 0 && journal > 0 &&
          durable.orders_per_s > 0 && durable.restart_ms >= 0 && recovery >= 0 &&
          reconnect.from_reconnect_ms >= 0)
             ? 0
             : 1;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<BenchFlags>();
  auto* cmd =
      app.add_subcommand("bench", "Measure bus and engine figures beside the machine floor");
  cmd->add_flag("--json", flags->json, "print one JSON object");
  cmd->add_flag("--quick", flags->quick, "a tenth of the work (smoke run; figures less stable)");
  cmd->add_option("--dir", flags->dir, "scratch folder for generated CSV files");
  cmd->callback([flags, &exit_code] { exit_code = run_bench_command(*flags); });
}

}  // namespace tradebus::cli
