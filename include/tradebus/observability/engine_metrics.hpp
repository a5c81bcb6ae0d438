// Collectors for the engine's own figures, and TradingSnapshot: the books as the loop thread
// sees them, copied for the metrics and dashboard threads.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tradebus/engine/trading_engine.hpp"
#include "tradebus/execution/portfolio.hpp"
#include "tradebus/observability/metrics_registry.hpp"

namespace tradebus {

/// Per queue: depth, capacity, published, dispatched, dropped, block time-outs, parked; per
/// handler: calls, errors, latency histogram; events dispatched and events per second (between
/// two scrapes). The bus must outlive the collector's use.
MetricsCollector bus_metrics(const EventBus& bus);

/// Candles, signals, orders (created, filled, rejected, canceled), errors.
MetricsCollector engine_metrics(const TradingEngine& engine);

class TradingSnapshot {
 public:
  struct PositionRow {
    std::string symbol;
    Decimal quantity, last_price, realized_pnl, unrealized_pnl;
  };
  struct ErrorRow {
    std::int64_t time_ns = 0;
    std::string component, severity, message;
  };
  struct Data {
    Money cash, equity, realized_pnl, fees;
    std::vector<PositionRow> positions;
    std::vector<Order> open_orders;
    std::vector<ErrorRow> errors;  ///< The most recent, newest last (at most 20).
    std::int64_t updated_ns = 0;   ///< Wall clock of the copy.
  };

  /// Subscribes to `engine` (candles, fills, errors); `portfolio` and `exchange` are read on the
  /// loop thread only: at most every `period` while events keep coming, and whenever the loop
  /// runs out of events after a change (so a fill shows at once on a quiet market, and the
  /// copy after the last event is exact). Call before engine.run().
  TradingSnapshot(TradingEngine& engine, std::shared_ptr<const Portfolio> portfolio,
                  std::shared_ptr<const Exchange> exchange, std::string quote_currency,
                  std::chrono::milliseconds period = std::chrono::milliseconds(200));

  Data data() const;
  /// Copies the books now: on the loop thread, or while the engine is not running.
  void refresh_now() { refresh(); }
  const std::string& quote_currency() const { return quote_; }
  /// tradebus_position, _cash, _equity, _realized_pnl, _fees_paid, _open_orders.
  MetricsCollector metrics() const;

 private:
  void refresh();  // loop thread

  std::shared_ptr<const Portfolio> portfolio_;
  std::shared_ptr<const Exchange> exchange_;
  std::string quote_;
  std::chrono::nanoseconds period_;
  // Loop thread: when the next copy is due while events keep coming (coarse_monotonic_now()),
  // and whether the books changed since the last copy.
  std::chrono::nanoseconds next_due_{0};
  bool changed_ = false;
  std::deque<ErrorRow> errors_;  // loop thread
  mutable std::mutex mu_;
  Data data_;
};

}  // namespace tradebus
