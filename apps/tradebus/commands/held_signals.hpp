// HeldSignals: SIGINT and SIGTERM blocked from a command's start, before any thread exists, so a
// Ctrl-C while it is still starting stays pending for whoever takes it — StopWait's
// sigtimedwait, or TradingEngine::run, which unblocks them while it runs — instead of killing
// the process by the default action before it can stop cleanly.
#pragma once

#include <signal.h>

namespace tradebus::cli {

class HeldSignals {
 public:
  HeldSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  /// One that came after the command stopped asks for what is already done: taken, not left to
  /// kill the process on its way out (after its summary) with exit 130.
  ~HeldSignals() {
    const timespec now{0, 0};
    while (sigtimedwait(&set_, nullptr, &now) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  HeldSignals(const HeldSignals&) = delete;
  HeldSignals& operator=(const HeldSignals&) = delete;

  const sigset_t& signals() const noexcept { return set_; }

 private:
  sigset_t set_{}, old_{};
};

}  // namespace tradebus::cli
