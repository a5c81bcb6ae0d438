// EventRing: bounded multi-producer queue of Events (Vyukov's per-slot sequence ring).
// Producers: any thread. Consumer: the bus loop thread; producers may also evict (try_pop_any)
// when the ring was built with `multi_consumer`, which the drop_oldest policy needs.
// The logical capacity need not be a power of two: the slot array is rounded up and a
// capacity check against the consumer's published position keeps the queue at `capacity`.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include "tradebus/model/event.hpp"

namespace tradebus::detail {

class EventRing {
 public:
  EventRing(std::size_t capacity, bool multi_consumer)
      : capacity_(capacity == 0 ? 1 : capacity),
        slot_count_(std::bit_ceil(capacity_)),
        mask_(slot_count_ - 1),
        multi_consumer_(multi_consumer),
        slots_(new Slot[slot_count_]) {
    for (std::size_t i = 0; i < slot_count_; ++i)
      slots_[i].seq.store(i, std::memory_order_relaxed);
  }
  ~EventRing() {
    Event e;
    while (try_pop(e)) {
    }
  }
  EventRing(const EventRing&) = delete;
  EventRing& operator=(const EventRing&) = delete;

  /// Moves `e` in and returns true; returns false (leaving `e` untouched) when full.
  [[nodiscard]] bool try_push(Event& e) noexcept {
    std::uint64_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      Slot& s = slots_[pos & mask_];
      const std::uint64_t seq = s.seq.load(std::memory_order_acquire);
      const auto diff = static_cast<std::int64_t>(seq - pos);
      if (diff == 0) {
        if (static_cast<std::int64_t>(pos - head_seen_.load(std::memory_order_relaxed)) >=
            static_cast<std::int64_t>(capacity_)) {
          // Refresh the consumer position only when the cached one says "full": keeps the
          // consumer's cache line out of the producers' fast path.
          const std::uint64_t h = head_.load(std::memory_order_acquire);
          head_seen_.store(h, std::memory_order_relaxed);
          if (static_cast<std::int64_t>(pos - h) >= static_cast<std::int64_t>(capacity_))
            return false;
        }
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          new (s.storage) Event(std::move(e));
          s.seq.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  /// Pops the oldest event into `out`; returns false when empty. Consumer thread only unless
  /// the ring is multi-consumer.
  [[nodiscard]] bool try_pop(Event& out) noexcept {
    if (multi_consumer_) return try_pop_any(out);
    const std::uint64_t pos = head_.load(std::memory_order_relaxed);
    Slot& s = slots_[pos & mask_];
    if (s.seq.load(std::memory_order_acquire) != pos + 1) return false;
    take(s, out, pos);
    head_.store(pos + 1, std::memory_order_release);
    return true;
  }

  /// Pops with a CAS so producers may evict concurrently (multi-consumer rings only).
  [[nodiscard]] bool try_pop_any(Event& out) noexcept {
    std::uint64_t pos = head_.load(std::memory_order_relaxed);
    for (;;) {
      Slot& s = slots_[pos & mask_];
      const std::uint64_t seq = s.seq.load(std::memory_order_acquire);
      const auto diff = static_cast<std::int64_t>(seq - (pos + 1));
      if (diff == 0) {
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_acq_rel)) {
          take(s, out, pos);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = head_.load(std::memory_order_relaxed);
      }
    }
  }

  /// True when the next slot holds an event (consumer's view; seq_cst for the sleep handshake).
  bool has_next() const noexcept {
    const std::uint64_t pos = head_.load(std::memory_order_relaxed);
    return slots_[pos & mask_].seq.load(std::memory_order_seq_cst) == pos + 1;
  }

  std::size_t capacity() const noexcept { return capacity_; }
  bool multi_consumer() const noexcept { return multi_consumer_; }
  /// Events ever accepted; the difference to popped() is the depth.
  std::uint64_t pushed() const noexcept { return tail_.load(std::memory_order_relaxed); }
  std::uint64_t popped() const noexcept { return head_.load(std::memory_order_relaxed); }
  std::size_t size_approx() const noexcept {
    const auto t = tail_.load(std::memory_order_relaxed);
    const auto h = head_.load(std::memory_order_relaxed);
    return t > h ? static_cast<std::size_t>(t - h) : 0;
  }

 private:
  struct alignas(64) Slot {
    std::atomic<std::uint64_t> seq{0};
    alignas(Event) unsigned char storage[sizeof(Event)];
  };

  void take(Slot& s, Event& out, std::uint64_t pos) noexcept {
    auto* p = std::launder(reinterpret_cast<Event*>(s.storage));
    out = std::move(*p);
    p->~Event();
    s.seq.store(pos + slot_count_, std::memory_order_release);
  }

  const std::size_t capacity_;
  const std::size_t slot_count_;
  const std::size_t mask_;
  const bool multi_consumer_;
  std::unique_ptr<Slot[]> slots_;
  // Producers' and consumer's counters on their own cache lines (no false sharing).
  alignas(64) std::atomic<std::uint64_t> tail_{0};
  alignas(64) std::atomic<std::uint64_t> head_seen_{0};
  alignas(64) std::atomic<std::uint64_t> head_{0};
};

}  // namespace tradebus::detail
