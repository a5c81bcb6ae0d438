#include "tradebus/model/coarse_clock.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace tradebus {
namespace {

using namespace std::chrono_literals;

// Callers mix it with steady_clock deadlines (the journal's sync period), so it must share that
// clock's epoch and lag it by no more than a tick. 50 ms leaves room for a descheduled thread.
TEST(CoarseClock, ReadsTheSteadyClockToWithinATick) {
  for (int i = 0; i < 5; ++i) {
    const auto before = std::chrono::steady_clock::now().time_since_epoch();
    const auto coarse = coarse_monotonic_now();
    const auto after = std::chrono::steady_clock::now().time_since_epoch();
    EXPECT_LE(coarse, after);
    EXPECT_GE(coarse, before - 50ms);
    std::this_thread::sleep_for(3ms);
  }
}

TEST(CoarseClock, NeverGoesBackAndMovesOnWithTime) {
  const auto start = coarse_monotonic_now();
  auto last = start;
  for (int i = 0; i < 100'000; ++i) {
    const auto now = coarse_monotonic_now();
    ASSERT_GE(now, last);
    last = now;
  }
  std::this_thread::sleep_for(30ms);
  EXPECT_GE(coarse_monotonic_now() - start, 20ms);
}

}  // namespace
}  // namespace tradebus
