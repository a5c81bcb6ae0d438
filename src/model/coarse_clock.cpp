#include "tradebus/model/coarse_clock.hpp"

#include <time.h>

namespace tradebus {

std::chrono::nanoseconds coarse_monotonic_now() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace tradebus
