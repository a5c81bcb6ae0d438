// QueuePolicy: a bounded queue's behaviour as data — capacity, what to do when full, and how
// long a publisher waits for space first.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tradebus {

enum class Overflow : std::uint8_t {
  drop_newest,   ///< After the wait, the event being published is dropped and counted.
  drop_oldest,   ///< After the wait, the oldest queued event is evicted and counted.
  fail,          ///< After the wait, publish throws QueueFullError.
  wait_forever,  ///< Publish waits as long as needed; nothing is dropped.
};

std::string_view to_string(Overflow o) noexcept;

struct QueuePolicy {
  std::size_t capacity = 1000;
  Overflow overflow = Overflow::drop_newest;
  std::chrono::nanoseconds wait{std::chrono::seconds(1)};  ///< Ignored by wait_forever.

  /// Seed §3.3.1: 1000 events, drop after waiting 1 s.
  static constexpr QueuePolicy data_default() {
    return {1000, Overflow::drop_newest, std::chrono::seconds(1)};
  }
  /// Seed §3.3.2: 100 events, block up to 5 s then fail.
  static constexpr QueuePolicy signal_default() {
    return {100, Overflow::fail, std::chrono::seconds(5)};
  }
  /// Seed §3.3.3: 50 events, never drop.
  static constexpr QueuePolicy order_default() {
    return {50, Overflow::wait_forever, std::chrono::nanoseconds(0)};
  }
};

/// How the loop thread waits when every queue is empty.
enum class WaitStrategy : std::uint8_t {
  blocking,   ///< Sleeps on a condition variable; no CPU burned when idle (default).
  busy_spin,  ///< Polls the queues; lowest latency, one core at 100 %.
};

}  // namespace tradebus
