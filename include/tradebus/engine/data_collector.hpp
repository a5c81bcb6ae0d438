// DataCollector: a source of market data that publishes CANDLE_CLOSED through the bus.
#pragma once

#include <functional>
#include <string_view>

namespace tradebus {

class EventBus;

class DataCollector {
 public:
  virtual ~DataCollector() = default;
  virtual std::string_view name() const = 0;
  /// Starts publishing candles on `bus` (from a thread of its own or the bus's io_context) and
  /// returns at once. Calls `finished` once, from any thread, when the source is exhausted
  /// (never, for a live feed) or failed; `error` is empty on a clean end.
  virtual void start(EventBus& bus, std::function<void(std::string error)> finished) = 0;
  /// Stops publishing and releases its thread; idempotent; returns once nothing more is published.
  virtual void stop() = 0;
};

}  // namespace tradebus
