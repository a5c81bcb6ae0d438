#include "tradebus/marketdata/candle_replay.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

#include "tradebus/bus/event_bus.hpp"

namespace tradebus {

CandleReplay::~CandleReplay() {
  join();
}

void CandleReplay::start(EventBus& bus, std::function<void(std::string)> finished) {
  if (thread_.joinable()) throw std::logic_error("CandleReplay: already started");
  stop_ = false;
  thread_ =
      std::thread([this, &bus, f = std::move(finished)]() mutable { run(bus, std::move(f)); });
}

void CandleReplay::stop() {
  stop_ = true;
  join();
}

void CandleReplay::join() {
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void CandleReplay::run(EventBus& bus, std::function<void(std::string)> finished) {
  std::string error;
  try {
    using Clock = std::chrono::steady_clock;
    const auto wall0 = Clock::now();
    std::int64_t market0 = 0;
    Candle c;
    while (!stop_.load(std::memory_order_relaxed) && next(c)) {
      if (speed_ > 0) {
        // Publish when market time since the first candle, divided by speed, has passed.
        if (published() == 0) market0 = c.close_time_ns;
        const auto due = wall0 + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                     static_cast<double>(c.close_time_ns - market0) / speed_));
        while (!stop_ && Clock::now() < due)
          std::this_thread::sleep_until(
              std::min(due, Clock::now() + std::chrono::milliseconds(50)));
      }
      bus.publish(EventType::candle_closed, c, c.close_time_ns, SourceId::truncated(name()));
      published_.store(published_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
  } catch (const std::exception& ex) {
    error = ex.what();
  }
  if (finished) finished(std::move(error));
}

}  // namespace tradebus
