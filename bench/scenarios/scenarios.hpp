// Benchmark scenarios: each builds what it measures, runs it and returns the figure.
// Shared by `tradebus bench --json` and bench/micro; never used by tests as timing checks.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tradebus/bus/queue_policy.hpp"

namespace tradebus {
class EventBus;
struct Candle;
}  // namespace tradebus

namespace tradebus::bench {

/// This machine's floor for an event hand-off, measured like ../shared/tools/machine_limit.cpp:
/// a ring push + pop + indirect call on one thread; an SPSC ring between two threads with a
/// busy-spinning consumer; and half a ping-pong round trip.
struct MachineFloor {
  double same_thread_eps = 0;
  double cross_thread_eps = 0;
  double one_way_latency_ns = 0;
};
MachineFloor measure_machine_floor(std::uint64_t events, std::uint64_t round_trips);

/// One producer thread publishing `events` candles to the data queue, one sync handler; with
/// `scrape`, another thread calls it every 100 ms during the measurement.
double bus_throughput_eps(WaitStrategy wait, std::uint64_t events, bool timing_on = true,
                          const std::function<void(const EventBus&)>& scrape = {});

/// bus_throughput_eps (busy-spin) without and with a /metrics scrape every 100 ms, in five
/// back-to-back pairs; the pair with the median ratio.
struct MetricsCost {
  double off_eps = 0;
  double on_eps = 0;
};
MetricsCost bus_throughput_metrics_cost(std::uint64_t events);
/// Milliseconds to render /metrics for an engine trading `symbols` symbols (median of 20).
double metrics_scrape_ms(int symbols);
/// The candle every bus scenario publishes.
Candle sample_candle();
/// A handler on the loop thread publishes the next event: publish + dispatch on one thread.
/// Its source id is built once, as the engine's are (see README, "Publishing rules").
double same_thread_eps(std::uint64_t events);
/// same_thread_eps on the bare bones of the bus: its three rings (default capacities), the
/// per-event priority scan, a std::function handler building the next event in its slot; no
/// handler list, counters, sequence numbers, thread checks or stop checks. The ceiling of the
/// design, for comparison with same_thread_eps measured beside it.
double ring_skeleton_same_thread_eps(std::uint64_t events);

struct LatencyFigures {
  double p50_ns = 0, p99_ns = 0, max_ns = 0;
};
/// Publish on another thread -> handler entry, one event in flight, busy-spin bus.
LatencyFigures bus_latency(std::uint64_t samples);

/// candle -> signal -> order -> fill through the TradingEngine, every candle making an order.
double pipeline_candles_per_s(std::uint64_t candles);

/// Resident set size (MiB) of this process after filling all three queues at default capacity.
double rss_mb_full_queues();
/// Time to drain and stop a bus whose three queues are full.
double shutdown_ms_full_queues();

/// End-to-end backtest (CSV parse + bus pipeline + sma_cross + paper exchange) over `rows`
/// candles split across `symbols` generated files in `dir`; candles per second.
double backtest_candles_per_s(std::uint64_t rows, int symbols, const std::string& dir);
/// Events appended to a journal in `dir` per second, batch fsync policy, close included.
double journal_events_per_s(std::uint64_t events, const std::string& dir);

struct DurableFigures {
  /// Orders per second through the engine with the SQLite outbox and the persistent paper
  /// exchange (group commit, synchronous=NORMAL: process-crash safe), last commit included.
  double orders_per_s = 0;
  std::uint64_t orders = 0;  ///< Orders (each with its fill) that run left in the state.
  /// Milliseconds for an engine to start on that state (load, replay every fill, recover) and
  /// stop: what a restart costs as the history grows. -1 if it failed.
  double restart_ms = -1;
};
/// `candles` zigzag candles, each making an order, then a restart on what they left.
DurableFigures durable_orders(std::uint64_t candles, const std::string& dir);
/// Recovery time (ms) at start-up for a state directory holding `open_orders` open orders,
/// each looked up at the paper exchange and adopted; -1 if recovery did not adopt them all.
double recovery_ms_open_orders(std::uint64_t open_orders, const std::string& dir);

/// Raw Binance kline message text -> CANDLE_CLOSED event, on one core; messages per second.
double ws_kline_parse_per_s(std::uint64_t messages);
/// Median of `orders` signed POST /api/v3/order round trips to the local fake Binance (µs).
double rest_order_roundtrip_p50_us(std::size_t orders);
struct ReconnectTimes {
  double from_reconnect_ms = 0;    ///< Stream reconnected -> first backfilled candle on the bus.
  double from_server_back_ms = 0;  ///< Server back -> the same, with the default back-off.
};
/// After a 500 ms outage of the fake's streams; -1 if no candle was backfilled.
ReconnectTimes reconnect_to_backfill_ms();

/// Collector -> strategy member over a redis-server this starts on a free port (no persistence):
/// events/s with `events` candles in flight over 4 symbols, p50 of one candle's trip, and
/// redis-benchmark's XADD rate with the same pipeline depth and entry size. -1 where it could
/// not measure (note says why).
struct RedisFigures {
  double events_per_s = -1;                ///< Up to 64 events per stream entry (the default).
  double events_per_s_one_per_entry = -1;  ///< Every event its own entry.
  double latency_p50_us = -1;
  double redis_benchmark_xadd_per_s = -1;
  std::size_t entry_bytes = 0;
  std::size_t batch = 0;
  std::string note;
};
RedisFigures redis_transport(std::uint64_t events, const std::string& dir);

}  // namespace tradebus::bench
