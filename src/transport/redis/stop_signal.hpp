// StopSignal and Backoff: the retry plumbing the Redis threads share. A thread sleeps between
// reconnect attempts with StopSignal::wait_for so that stop() never waits out a back-off.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace tradebus::redis::detail {

class StopSignal {
 public:
  void request() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    flag_.store(true, std::memory_order_release);
    cv_.notify_all();
  }
  bool requested() const noexcept { return flag_.load(std::memory_order_acquire); }
  /// Sleeps `d` or until request(); true when stop was requested.
  bool wait_for(std::chrono::nanoseconds d) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, d, [&] { return stop_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<bool> flag_{false};
};

/// 100 ms, doubling to `max`; reset() after a success.
class Backoff {
 public:
  explicit Backoff(std::chrono::milliseconds max = std::chrono::seconds(5)) : max_(max) {}
  std::chrono::milliseconds next() {
    const auto d = next_;
    next_ = std::min(max_, next_ * 2);
    return d;
  }
  void reset() { next_ = kFirst; }

 private:
  static constexpr std::chrono::milliseconds kFirst{100};
  std::chrono::milliseconds max_;
  std::chrono::milliseconds next_{kFirst};
};

}  // namespace tradebus::redis::detail
