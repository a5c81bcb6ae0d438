// StopWait: how a command without a TradingEngine waits for its end — a duration, its work being
// done, or SIGINT/SIGTERM. Construct it before starting any thread: the signals are blocked in
// this thread and so in every thread started after, and taken with sigtimedwait, so no handler
// runs at a random point of another thread.
#pragma once

#include <signal.h>

#include <chrono>
#include <functional>

namespace tradebus::cli {

class StopWait {
 public:
  StopWait() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~StopWait() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  StopWait(const StopWait&) = delete;
  StopWait& operator=(const StopWait&) = delete;

  /// Returns when `done()` is true, `duration_s` (> 0) has passed, or a signal came; true for
  /// the signal.
  bool wait(double duration_s, const std::function<bool()>& done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(duration_s);
    const timespec tick{0, 50'000'000};
    while (!done()) {
      if (duration_s > 0 && std::chrono::steady_clock::now() >= end) return false;
      if (sigtimedwait(&set_, nullptr, &tick) > 0) return true;
    }
    return false;
  }

 private:
  sigset_t set_{}, old_{};
};

}  // namespace tradebus::cli
