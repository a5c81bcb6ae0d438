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
#include <thread>
#include <type_traits>

#include "tradebus/model/cache_line_allocator.hpp"
#include "tradebus/model/event.hpp"

namespace tradebus::detail {

class EventRing {
 public:
  EventRing(std::size_t capacity, bool multi_consumer)
      : capacity_(capacity == 0 ? 1 : capacity),
        slot_count_(std::bit_ceil(capacity_ + 1)),  // +1: the slot being dispatched in place
        mask_(slot_count_ - 1),
        multi_consumer_(multi_consumer),
        slots_(allocate_slots(slot_count_)) {}
  ~EventRing() {
    Event e;
    while (try_pop(e)) {
    }
  }
  EventRing(const EventRing&) = delete;
  EventRing& operator=(const EventRing&) = delete;

  /// Moves `e` in and returns true; returns false (leaving `e` untouched) when full.
  /// `held_elsewhere`: see try_emplace.
  [[nodiscard]] bool try_push(Event& e, std::size_t held_elsewhere = 0) noexcept {
    return try_emplace([&]() noexcept { return std::move(e); }, held_elsewhere);
  }

  /// Builds the event in a free slot from `make()` (an Event prvalue, so it is constructed in
  /// place) and returns true; returns false without calling `make` when full. `make` must not
  /// throw: the slot is already claimed when it runs. `held_elsewhere` (at most the capacity):
  /// events of this queue the caller holds outside the ring, which count against its capacity.
  template <class Make>
  [[nodiscard]] bool try_emplace(Make&& make, std::size_t held_elsewhere = 0) noexcept {
    static_assert(std::is_nothrow_invocable_r_v<Event, Make&>);
    const auto capacity = static_cast<std::int64_t>(capacity_ - held_elsewhere);
    std::uint64_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      Slot& s = slots_[pos & mask_];
      const std::uint64_t seq = s.seq.load(std::memory_order_acquire);
      const auto diff = static_cast<std::int64_t>(seq - pos);
      if (diff == 0) {
        if (static_cast<std::int64_t>(pos - head_seen_.load(std::memory_order_relaxed)) >=
            capacity) {
          // Refresh the consumer position only when the cached one says "full": keeps the
          // consumer's cache line out of the producers' fast path.
          const std::uint64_t h = head_.load(std::memory_order_acquire);
          head_seen_.store(h, std::memory_order_relaxed);
          if (static_cast<std::int64_t>(pos - h) >= capacity) return false;
        }
        // seq_cst: the claim is ordered before the publisher's later seq_cst loads of the
        // loop's `sleeping` flag and the bus state (same instruction as relaxed on x86).
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
          new (s.storage) Event(make());
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
    return consume([&](Event& e) noexcept { out = std::move(e); });
  }

  /// Calls `f(Event&)` on the oldest event where it lies in its slot (no copy out), then frees
  /// the slot; returns false when empty. `f` must not throw. Single consumer, or a claim by CAS
  /// first when the ring is multi-consumer (producers may evict concurrently).
  template <class F>
  [[nodiscard]] bool consume(F&& f) noexcept {
    std::uint64_t pos = head_.load(std::memory_order_relaxed);
    if (!multi_consumer_) {
      Slot& s = slots_[pos & mask_];
      if (s.seq.load(std::memory_order_acquire) != pos + 1) return false;
      // Taken off the queue before dispatch (depth and capacity count waiting events only);
      // the slot itself stays ours until release(), and with capacity + 1 slots no producer
      // can reach it meanwhile.
      head_.store(pos + 1, std::memory_order_release);
      f(*event_in(s));
      release(s, pos);
      return true;
    }
    return claim_and_consume(std::forward<F>(f));
  }

  /// Pops with a CAS so producers may evict concurrently (any ring; needed for multi-consumer).
  [[nodiscard]] bool try_pop_any(Event& out) noexcept {
    return claim_and_consume([&](Event& e) noexcept { out = std::move(e); });
  }

  /// Empties the ring after the consumer stopped, including events whose producers have
  /// claimed a slot but not yet finished writing it (it waits for them): nothing claimed before
  /// this call is missed. Calls `f(Event&)` for each.
  template <class F>
  void drain_all(F&& f) {
    const std::uint64_t target = tail_.load(std::memory_order_seq_cst);
    Event e;
    while (static_cast<std::int64_t>(head_.load(std::memory_order_acquire) - target) < 0) {
      if (try_pop_any(e))
        f(e);
      else
        std::this_thread::yield();  // a producer is between its claim and its publish
    }
  }

  /// True when a producer has claimed a slot the consumer has not taken (seq_cst: pairs with
  /// the claim in try_push for the loop's sleep handshake).
  bool has_claimed() const noexcept {
    return tail_.load(std::memory_order_seq_cst) != head_.load(std::memory_order_relaxed);
  }

  /// True when the next slot holds an event (consumer's view; seq_cst for the sleep handshake).
  bool has_next() const noexcept {
    const std::uint64_t pos = head_.load(std::memory_order_relaxed);
    return slots_[pos & mask_].seq.load(std::memory_order_seq_cst) == pos + 1;
  }

  /// Places free as of the consumer's last published position. Reads the consumer's cache
  /// line, so a producer polling it should pause between calls.
  std::size_t room() const noexcept {
    const auto t = tail_.load(std::memory_order_relaxed);
    const auto used = static_cast<std::int64_t>(t - head_.load(std::memory_order_acquire));
    if (used <= 0) return capacity_;
    return static_cast<std::size_t>(used) >= capacity_ ? 0
                                                       : capacity_ - static_cast<std::size_t>(used);
  }

  std::size_t capacity() const noexcept { return capacity_; }
  /// Events ever accepted; the difference to popped() is the depth.
  std::uint64_t pushed() const noexcept { return tail_.load(std::memory_order_relaxed); }
  std::uint64_t popped() const noexcept { return head_.load(std::memory_order_relaxed); }
  std::size_t size_approx() const noexcept {
    const auto t = tail_.load(std::memory_order_relaxed);
    const auto h = head_.load(std::memory_order_relaxed);
    return t > h ? static_cast<std::size_t>(t - h) : 0;
  }

 private:
  // Claims the oldest slot with a CAS on head (so evicting producers and the loop never take
  // the same event), hands the event to `f` in place, then frees the slot.
  template <class F>
  bool claim_and_consume(F&& f) noexcept {
    std::uint64_t pos = head_.load(std::memory_order_relaxed);
    for (;;) {
      Slot& s = slots_[pos & mask_];
      const std::uint64_t seq = s.seq.load(std::memory_order_acquire);
      const auto diff = static_cast<std::int64_t>(seq - (pos + 1));
      if (diff == 0) {
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_acq_rel)) {
          f(*event_in(s));
          release(s, pos);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = head_.load(std::memory_order_relaxed);
      }
    }
  }

  struct alignas(64) Slot {
    std::atomic<std::uint64_t> seq{0};
    alignas(Event) unsigned char storage[sizeof(Event)];
  };

  // The slot array starts 64 bytes past a 256-byte boundary, never on one. One producer
  // thread into the data queue (bus_throughput_eps, 2-vCPU Xeon, 2026-11-30, 3-4 runs per
  // start): 13-30 M events/s with the array 0, 0x100, 0x200, 0x400, 0x800, 0x1000 or 0x2000
  // bytes past a page, 34-38 M with it 0x20, 0x40, 0x80, 0xc0, 0x140, 0x180, 0x540, 0x9c0,
  // 0xf80 or 0x1040 past one. Only the start's place within 256 bytes (one slot: an Event is
  // 248 bytes) mattered; the hardware cause was not found (this VM exposes no PMU counters).
  // Left to glibc, a freshly mapped 256 KiB data ring starts 64 bytes into a page and one
  // from a reused heap could start on one, so a bus's speed depended on earlier allocations.
  static constexpr std::size_t kArrayAlign = 256;
  static constexpr std::size_t kArrayOffset = kCacheLine;
  struct SlotArrayFree {
    void operator()(Slot* p) const noexcept {
      ::operator delete (reinterpret_cast<unsigned char*>(p) - kArrayOffset,
                         std::align_val_t{kArrayAlign});
    }
  };
  // Slot i starts with sequence number i: free for the producer at position i.
  static Slot* allocate_slots(std::size_t n) {
    if (n > (static_cast<std::size_t>(-1) - kArrayOffset) / sizeof(Slot))
      throw std::bad_array_new_length();
    auto* raw = static_cast<unsigned char*>(
        ::operator new (kArrayOffset + n * sizeof(Slot), std::align_val_t{kArrayAlign}));
    auto* first = reinterpret_cast<Slot*>(raw + kArrayOffset);
    for (std::size_t i = 0; i < n; ++i) {
      new (first + i) Slot();  // trivially destructible: SlotArrayFree needs no destructor calls
      first[i].seq.store(i, std::memory_order_relaxed);
    }
    return first;
  }
  static_assert(std::is_trivially_destructible_v<Slot>);

  static Event* event_in(Slot& s) noexcept {
    return std::launder(reinterpret_cast<Event*>(s.storage));
  }
  void release(Slot& s, std::uint64_t pos) noexcept {
    // Only an ErrorInfo payload owns memory (see Event::copies_without_allocating); every other
    // event ends with its storage, so the variant's destructor (a table jump) is skipped.
    Event* e = event_in(s);
    if (!e->copies_without_allocating()) e->~Event();
    s.seq.store(pos + slot_count_, std::memory_order_release);
  }

  const std::size_t capacity_;
  const std::size_t slot_count_;
  const std::size_t mask_;
  const bool multi_consumer_;
  std::unique_ptr<Slot[], SlotArrayFree> slots_;
  // Producers' and consumer's counters on their own cache lines (no false sharing).
  alignas(64) std::atomic<std::uint64_t> tail_{0};
  alignas(64) std::atomic<std::uint64_t> head_seen_{0};
  alignas(64) std::atomic<std::uint64_t> head_{0};
};

}  // namespace tradebus::detail
