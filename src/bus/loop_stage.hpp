// LoopStage: one event the bus loop thread published to a lane whose ring was empty, held
// beside that ring instead of in it.
//
// Why: a handler that publishes (candle -> signal -> order -> fill) is the bus's hottest
// path, and a publish into the ring claims its slot with a locked compare-exchange, because
// any thread may publish to any lane. The loop thread is also the lane's only consumer, so an
// event it publishes while the ring holds nothing can wait here, where no other thread looks,
// and be dispatched next: no locked instruction, and the two slots stay in the loop's cache.
//
// Order: the stage is filled only while the ring holds no claimed event, and it is dispatched
// before the ring; so everything in the ring is newer than the staged event, and FIFO holds
// inside the lane. Two slots, because a handler dispatched from one slot may publish into the
// other while it runs (dispatch in place, as the ring does).
//
// Capacity: the staged event counts as one waiting event in the lane's depth. The other
// threads do not see it when they check the ring's room, so a lane filled by other threads
// while the loop's own event waits here holds capacity + 1 events until it is dispatched.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "event_ring.hpp"
#include "tradebus/model/event.hpp"

namespace tradebus::detail {

class LoopStage {
 public:
  LoopStage() = default;
  ~LoopStage() {
    if (waiting()) destroy(event_in(slots_[next_]));
  }
  LoopStage(const LoopStage&) = delete;
  LoopStage& operator=(const LoopStage&) = delete;

  /// Loop thread: true when an event waits here. Other threads: a snapshot, for stats.
  bool waiting() const noexcept { return waiting_.load(std::memory_order_relaxed); }
  /// Events waiting here: 0 or 1 (they count in the lane's depth and capacity).
  std::size_t size() const noexcept { return waiting() ? 1 : 0; }
  /// Events ever staged (stats).
  std::uint64_t staged() const noexcept { return staged_.load(std::memory_order_relaxed); }

  /// Loop thread, when !waiting(): builds the event from `make()` in the free slot.
  template <class Make>
  void emplace(Make& make) noexcept {
    static_assert(std::is_nothrow_invocable_r_v<Event, Make&>);
    new (slots_[next_].storage) Event(make());
    waiting_.store(true, std::memory_order_relaxed);
    // Single writer: a load and a store, not a locked add.
    staged_.store(staged_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  /// Loop thread, when waiting(): calls `f(Event&)` on the event where it lies, then ends it.
  /// While `f` runs the stage is free again: a publish from it fills the other slot.
  template <class F>
  void consume(F&& f) noexcept {
    static_assert(std::is_nothrow_invocable_v<F&, Event&>);
    Event* e = event_in(slots_[next_]);
    waiting_.store(false, std::memory_order_relaxed);
    next_ ^= 1;
    f(*e);
    destroy(e);
  }

 private:
  struct alignas(64) Slot {
    alignas(Event) unsigned char storage[sizeof(Event)];
  };
  static Event* event_in(Slot& s) noexcept {
    return std::launder(reinterpret_cast<Event*>(s.storage));
  }
  static void destroy(Event* e) noexcept {
    // As the ring does: only an ErrorInfo payload owns memory.
    if (!e->copies_without_allocating()) e->~Event();
  }

  Slot slots_[2];
  unsigned next_ = 0;  // the slot the waiting event is in, or the next one to fill
  std::atomic<bool> waiting_{false};
  std::atomic<std::uint64_t> staged_{0};
};

// The two rules that make a ring and its stage one queue, shared by the bus and the benchmark
// of its bare design (bench/scenarios/ring_skeleton.cpp).

/// Loop thread: queues the event from `make()` in the stage while the ring holds no claimed
/// event, else in the ring, where a staged event takes one place of the capacity. False when
/// full (`make` not called).
template <class Make>
[[nodiscard]] inline bool publish_from_loop(LoopStage& stage, EventRing& ring,
                                            Make& make) noexcept {
  const std::size_t staged = stage.size();
  if (staged == 0 && !ring.has_claimed()) {
    stage.emplace(make);
    return true;
  }
  return ring.try_emplace(make, staged);
}

/// Loop thread: calls `f(Event&)` on the oldest event, the staged one before the ring's
/// (everything in the ring arrived after it). False when both are empty.
template <class F>
[[nodiscard]] inline bool consume_oldest(LoopStage& stage, EventRing& ring, F&& f) noexcept {
  if (!stage.waiting()) return ring.consume(f);
  stage.consume(f);
  return true;
}

}  // namespace tradebus::detail
