#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "scenarios.hpp"

namespace tradebus::bench {
namespace {

using Clock = std::chrono::steady_clock;
struct Item {
  std::uint64_t seq;
  std::uint64_t ts;
  double px[6];  // candle-sized, as in the reference tool
};

template <std::size_t N>
struct SpscRing {
  alignas(64) std::atomic<std::uint64_t> head{0};
  alignas(64) std::uint64_t cached_tail = 0;
  alignas(64) std::atomic<std::uint64_t> tail{0};
  alignas(64) std::uint64_t cached_head = 0;
  alignas(64) Item buf[N];
  bool push(const Item& e) {
    const std::uint64_t h = head.load(std::memory_order_relaxed);
    if (h - cached_tail == N) {
      cached_tail = tail.load(std::memory_order_acquire);
      if (h - cached_tail == N) return false;
    }
    buf[h & (N - 1)] = e;
    head.store(h + 1, std::memory_order_release);
    return true;
  }
  bool pop(Item& e) {
    const std::uint64_t t = tail.load(std::memory_order_relaxed);
    if (t == cached_head) {
      cached_head = head.load(std::memory_order_acquire);
      if (t == cached_head) return false;
    }
    e = buf[t & (N - 1)];
    tail.store(t + 1, std::memory_order_release);
    return true;
  }
};

std::uint64_t g_sink = 0;

}  // namespace

MachineFloor measure_machine_floor(std::uint64_t n, std::uint64_t m) {
  MachineFloor f;
  std::function<void(const Item&)> handler = [](const Item& e) { g_sink += e.seq; };
  {
    auto r = std::make_unique<SpscRing<1024>>();
    Item e{};
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < n; ++i) {
      e.seq = i;
      (void)r->push(e);
      Item o;
      (void)r->pop(o);
      handler(o);
    }
    f.same_thread_eps =
        static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - t0).count();
  }
  {
    auto r = std::make_unique<SpscRing<4096>>();
    const auto t0 = Clock::now();
    std::thread c([&] {
      Item o;
      std::uint64_t got = 0;
      while (got < n)
        if (r->pop(o)) handler(o), ++got;
    });
    Item e{};
    for (std::uint64_t i = 0; i < n; ++i) {
      e.seq = i;
      while (!r->push(e)) {
      }
    }
    c.join();
    f.cross_thread_eps =
        static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - t0).count();
  }
  {
    auto a = std::make_unique<SpscRing<64>>();
    auto b = std::make_unique<SpscRing<64>>();
    std::thread c([&] {
      Item o;
      for (std::uint64_t i = 0; i < m; ++i) {
        while (!a->pop(o)) {
        }
        while (!b->push(o)) {
        }
      }
    });
    Item e{}, o;
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < m; ++i) {
      e.seq = i;
      while (!a->push(e)) {
      }
      while (!b->pop(o)) {
      }
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    c.join();
    f.one_way_latency_ns = s / static_cast<double>(m) / 2 * 1e9;
  }
  return f;
}

}  // namespace tradebus::bench
