// The same-thread scenario on the bare bones of the bus's design, to show how much of the
// per-event cost is the design itself and how much is what the bus does around it.
#include <chrono>
#include <functional>

// The bus's own ring (an internal header: this file measures the bus's parts, not its API).
#include "bus/event_ring.hpp"
#include "scenarios.hpp"

namespace tradebus::bench {

double ring_skeleton_same_thread_eps(std::uint64_t n) {
  using detail::EventRing;
  // The bus's three queues at their default capacities, scanned in its priority order.
  EventRing order(50, false), signal(100, false), data(1000, false);
  EventRing* const lanes[] = {&order, &signal, &data};
  const Candle candle = sample_candle();
  const SourceId source("bench");
  auto publish = [&] {
    (void)data.try_emplace(
        [&]() noexcept { return Event(EventType::candle_closed, candle, 0, source); });
  };
  std::uint64_t count = 0;
  // A std::function, as the bus stores a handler; it publishes the next event, as in
  // same_thread_eps.
  const std::function<void(const Event&)> handler = [&](const Event&) {
    if (++count < n) publish();
  };
  publish();
  const auto t0 = std::chrono::steady_clock::now();
  for (bool got = true; got;) {
    got = false;
    for (EventRing* r : lanes)
      if (r->consume([&](Event& e) noexcept { handler(e); })) {
        got = true;
        break;
      }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return static_cast<double>(count) / s;
}

}  // namespace tradebus::bench
