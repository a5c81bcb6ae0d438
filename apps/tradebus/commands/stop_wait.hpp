// StopWait: how a command without a TradingEngine waits for its end — a duration, its work being
// done, or SIGINT/SIGTERM. Construct it before starting any thread: the signals are held blocked
// in this thread and so in every thread started after, and taken with sigtimedwait, so no
// handler runs at a random point of another thread.
#pragma once

#include <signal.h>

#include <chrono>
#include <functional>

#include "held_signals.hpp"

namespace tradebus::cli {

class StopWait {
 public:
  /// Returns when `done()` is true, `duration_s` (> 0) has passed, or a signal came; true for
  /// the signal.
  bool wait(double duration_s, const std::function<bool()>& done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(duration_s);
    const timespec tick{0, 50'000'000};
    while (!done()) {
      if (duration_s > 0 && std::chrono::steady_clock::now() >= end) return false;
      if (sigtimedwait(&held_.signals(), nullptr, &tick) > 0) return true;
    }
    return false;
  }

 private:
  HeldSignals held_;
};

}  // namespace tradebus::cli
