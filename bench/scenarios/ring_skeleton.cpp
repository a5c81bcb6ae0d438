// The same-thread scenario on the bare bones of the bus's design, to show how much of the
// per-event cost is the design itself and how much is what the bus does around it.
#include <chrono>
#include <functional>

// The bus's own ring and stage (internal headers: this file measures the bus's parts, not its
// API).
#include "bus/event_ring.hpp"
#include "bus/loop_stage.hpp"
#include "scenarios.hpp"

namespace tradebus::bench {

double ring_skeleton_same_thread_eps(std::uint64_t n) {
  using detail::EventRing;
  using detail::LoopStage;
  // The bus's three queues at their default capacities, each with the stage the loop keeps
  // its own publishes in while the ring is empty, scanned in its priority order.
  struct Queue {
    EventRing ring;
    LoopStage stage;
  };
  Queue order{EventRing(50, false), {}}, signal{EventRing(100, false), {}},
      data{EventRing(1000, false), {}};
  Queue* const lanes[] = {&order, &signal, &data};
  const Candle candle = sample_candle();
  const SourceId source("bench");
  auto publish = [&] {
    auto make = [&]() noexcept { return Event(EventType::candle_closed, candle, 0, source); };
    (void)detail::publish_from_loop(data.stage, data.ring, make);
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
    for (Queue* q : lanes)
      if (detail::consume_oldest(q->stage, q->ring, [&](Event& e) noexcept { handler(e); })) {
        got = true;
        break;
      }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return static_cast<double>(count) / s;
}

}  // namespace tradebus::bench
