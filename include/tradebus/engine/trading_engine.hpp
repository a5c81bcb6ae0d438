// TradingEngine: the composition root (seed §4). Owns the EventBus, wires injected components
// through it — candle -> strategies -> signal -> order manager -> order -> exchange -> fill ->
// positions — and runs them with a graceful start and shutdown.
// Thread rule: configure before run(); request_stop() from any thread or a signal.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tradebus/bus/event_bus.hpp"
#include "tradebus/engine/data_collector.hpp"
#include "tradebus/engine/exchange.hpp"
#include "tradebus/engine/order_manager.hpp"
#include "tradebus/engine/order_store.hpp"
#include "tradebus/engine/strategy.hpp"

namespace tradebus {

struct EngineOptions {
  EventBusOptions bus;
  /// How long shutdown drains the queues (seed §4.4 uses 10 s).
  std::chrono::nanoseconds shutdown_timeout = std::chrono::seconds(10);
  /// Failed order attempts (order manager threw) are appended here as JSON lines; empty: log only.
  std::string failed_orders_file = "tradebus-failed-orders.jsonl";
  /// Stop on SIGINT/SIGTERM while run() is running. run() unblocks them in its thread, so a
  /// caller may block them from its start: one that came meanwhile then stops the run before
  /// market data starts (rather than killing the process).
  bool handle_signals = true;
  /// Recovery: an order the exchange never saw is resubmitted (same client order id) only if
  /// it was recorded less than this long ago; older ones are marked expired, since the signal
  /// behind them is stale.
  std::chrono::nanoseconds resubmit_window = std::chrono::minutes(5);
  /// Recovery: look-ups of one order whose outcome stays unknown before run() gives up.
  int recovery_attempts = 5;
};

/// What went through the engine; read with counters() from any thread.
struct EngineCounters {
  std::uint64_t candles = 0;
  std::uint64_t signals = 0;
  std::uint64_t orders = 0;
  std::uint64_t fills = 0;
  std::uint64_t rejected = 0;
  std::uint64_t canceled = 0;
  std::uint64_t errors = 0;
  std::uint64_t critical_errors = 0;
  std::uint64_t repeated_signals = 0;  ///< Signals that already had an order (after a restart).
};

/// What recovery did at the start of run().
struct RecoveryReport {
  std::uint64_t unfinished = 0;       ///< Orders the store held open.
  std::uint64_t adopted = 0;          ///< Found at the exchange; its state and fills taken.
  std::uint64_t resubmitted = 0;      ///< Never seen by the exchange; sent again, same id.
  std::uint64_t expired = 0;          ///< Never seen, and too old to send.
  std::uint64_t fills_recovered = 0;  ///< Fills the exchange had that the store had not.
  /// Recorded fills applied to rebuild positions: those after the store's portfolio snapshot.
  std::uint64_t fills_replayed = 0;
  bool from_snapshot = false;  ///< The positions started from a portfolio snapshot.
  std::int64_t duration_ns = 0;
};

class TradingEngine {
 public:
  explicit TradingEngine(EngineOptions options = {});
  ~TradingEngine();
  TradingEngine(const TradingEngine&) = delete;
  TradingEngine& operator=(const TradingEngine&) = delete;

  EventBus& bus() noexcept;

  void set_data_collector(std::shared_ptr<DataCollector> collector);
  /// Replaces every strategy with `strategy`.
  void set_strategy(std::shared_ptr<Strategy> strategy);
  /// Adds a strategy; all strategies see each candle, in the order added (fan-out).
  void add_strategy(std::shared_ptr<Strategy> strategy);
  void set_order_manager(std::shared_ptr<OrderManager> manager);
  void set_exchange(std::shared_ptr<Exchange> exchange);
  /// Makes orders durable and recoverable: every transition and fill is recorded before it
  /// takes effect, and run() first reconciles the store's unfinished orders with the exchange
  /// (see RecoveryReport). Without a store nothing survives the process.
  void set_order_store(std::shared_ptr<OrderStore> store);
  /// Called on the loop thread for every critical ERROR (order path failures).
  void set_critical_alert(std::function<void(const ErrorInfo&)> alert);
  /// Called on run()'s thread once the bus is running, before market data starts.
  void add_start_hook(std::function<void()> hook);
  /// Called on the loop thread for every candle before anything else sees it.
  void add_candle_observer(std::function<void(const Candle&)> observer);

  /// Starts the bus and the collector, and blocks until the collector has finished and the
  /// queues are drained, or request_stop()/SIGINT/SIGTERM; then shuts down in the seed's
  /// order (collector, then bus drain). Returns the collector's error, empty when clean.
  std::string run();
  /// Asks run() to return; safe from any thread.
  void request_stop();
  /// True once request_stop() was called or a stop signal arrived.
  bool stop_requested() const noexcept;
  EngineCounters counters() const;
  /// Valid after run() started trading.
  RecoveryReport recovery() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tradebus
