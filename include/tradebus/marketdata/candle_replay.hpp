// CandleReplay: the DataCollector behind every recorded or generated source. A thread of its
// own pulls candles from next() and publishes them as CANDLE_CLOSED through the bus, as fast
// as the engine takes them or paced at `speed` x market time.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "tradebus/engine/data_collector.hpp"
#include "tradebus/model/cache_line_allocator.hpp"
#include "tradebus/model/candle.hpp"

namespace tradebus {

// Over-aligned, so a source owns its cache lines: the replay thread writes `published_` for
// every candle, and as an ordinary heap block the source shared a line with something the loop
// writes as often. In `tradebus bench`, three runs each (2-vCPU Xeon, 2026-11-30):
// backtest_candles_per_s 3.49-3.55 M -> 4.23-4.28 M, 10 symbols 2.85-2.97 M -> 3.38-3.65 M.
class alignas(kCacheLine) CandleReplay : public DataCollector {
 public:
  ~CandleReplay() override;
  void start(EventBus& bus, std::function<void(std::string error)> finished) override;
  void stop() override;

  /// 0 replays as fast as possible; 60 plays one market minute per real second.
  void set_speed(double speed) { speed_ = speed; }
  std::uint64_t published() const noexcept { return published_.load(std::memory_order_relaxed); }
  /// Fraction done in [0, 1] (estimated from bytes read for files).
  virtual double progress() const = 0;

 protected:
  /// Produces the next candle in market order; false at the end. May throw (e.g. DataError).
  virtual bool next(Candle& out) = 0;
  void join();

 private:
  void run(EventBus& bus, std::function<void(std::string)> finished);

  double speed_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> published_{0};
};

}  // namespace tradebus
