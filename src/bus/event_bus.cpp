#include "tradebus/bus/event_bus.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "event_ring.hpp"
#include "loop_stage.hpp"
#include "tradebus/bus/latency_histogram.hpp"
#include "tradebus/model/event_json.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TRADEBUS_CPU_RELAX() _mm_pause()
#else
#define TRADEBUS_CPU_RELAX() ((void)0)
#endif

namespace tradebus {

std::string_view to_string(Overflow o) noexcept {
  switch (o) {
    case Overflow::drop_newest:
      return "drop_newest";
    case Overflow::drop_oldest:
      return "drop_oldest";
    case Overflow::fail:
      return "fail";
    case Overflow::wait_forever:
      return "wait_forever";
  }
  return "?";
}

namespace detail {

using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

// On cache lines of its own: the loop writes `calls` and `sample_countdown` on every call, and
// as an ordinary heap block it shared a line with something a publishing thread touches.
// bus_throughput_eps, 24 runs per process, four processes each, 2-vCPU Xeon, 2026-11-30:
// per-process medians 33.2-34.6 M/s without, 37.7-38.8 M/s with (the first run or two of a
// process were fast either way).
struct alignas(64) HandlerEntry {
  std::string name;
  EventType type{};
  EventBus::Handler sync;
  EventBus::AsyncHandler async;
  bool is_async = false;
  std::atomic<bool> active{true};
  // Written by the loop thread only; read by stats() from anywhere.
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> errors{0};
  std::uint32_t sample_countdown = 0;
  LatencyHistogram latency;
};

namespace {
thread_local const BusCore* tl_loop_bus = nullptr;

void bump(std::atomic<std::uint64_t>& c) noexcept {
  // Single writer: a plain load+store is enough and avoids a locked instruction.
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

// A failing callable fails the same way on every event: the first ten errors and every
// thousandth after say so without flooding the log at event rates.
bool worth_logging(std::uint64_t nth_error) noexcept {
  return nth_error <= 10 || nth_error % 1000 == 0;
}
}  // namespace

struct LaneState {
  LaneState(Lane l, const QueuePolicy& p)
      : lane(l),
        policy(p),
        ring(p.capacity, p.overflow == Overflow::drop_oldest),
        stages(p.overflow != Overflow::drop_oldest) {}
  const Lane lane;
  const QueuePolicy policy;
  EventRing ring;
  // The loop's own publishes while the ring is empty (see loop_stage.hpp). Not on a
  // drop_oldest lane: other threads evict from its ring and could not take the staged event.
  const bool stages;
  std::deque<Event> parked;  // loop thread only; order preserved behind the ring
  std::atomic<std::size_t> parked_size{0};
  std::atomic<std::uint64_t> dispatched{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> block_timeouts{0};
  std::atomic<std::uint64_t> parked_total{0};
  std::atomic<std::uint64_t> discarded{0};
  bool busy = false;  // loop thread only: a coroutine handler of this lane is suspended
  std::atomic<int> space_waiters{0};
  std::mutex space_mu;
  std::condition_variable space_cv;
  // Loop thread only, on lines of its own: publishers write the counters above.
  alignas(64) LoopStage stage;
};

enum class State : int { idle, running, stopped };

class BusCore : public std::enable_shared_from_this<BusCore> {
 public:
  explicit BusCore(EventBusOptions o)
      : options_(std::move(o)),
        lanes_{std::make_unique<LaneState>(Lane::order, options_.order),
               std::make_unique<LaneState>(Lane::signal, options_.signal),
               std::make_unique<LaneState>(Lane::data, options_.data)},
        spin_(options_.wait_strategy == WaitStrategy::busy_spin),
        one_attempt_(options_.handler_attempts <= 1) {
    refresh_ready_lanes();
  }

  ~BusCore() { stop_and_wait(); }

  LaneState& lane(Lane l) { return *lanes_[static_cast<std::size_t>(l)]; }
  const LaneState& lane(Lane l) const { return *lanes_[static_cast<std::size_t>(l)]; }
  bool on_loop_thread() const noexcept { return tl_loop_bus == this; }

  // ---------------------------------------------------------------- subscriptions
  Subscription subscribe(EventType type, EventBus::Handler h, EventBus::AsyncHandler a,
                         std::string name) {
    auto e = std::make_shared<HandlerEntry>();
    e->type = type;
    e->is_async = static_cast<bool>(a);
    e->sync = std::move(h);
    e->async = std::move(a);
    e->name =
        name.empty() ? fmt::format("{}#{}", to_string(type), next_handler_id_++) : std::move(name);
    {
      std::lock_guard lk(registry_mu_);
      all_handlers_.push_back(e);
    }
    run_on_loop([this, e] { handlers_[static_cast<std::size_t>(e->type)].push_back(e); });
    return Subscription(weak_from_this(), e);
  }

  void unsubscribe(const std::shared_ptr<HandlerEntry>& e) {
    if (!e->active.exchange(false)) return;
    // Compacting inside a handler would shift the list being dispatched; the loop compacts
    // after the event instead (an inactive entry is skipped until then).
    run_on_loop([this, e] {
      needs_compact_ = true;
      if (!on_loop_thread()) compact();
    });
  }

  // Runs `fn` where the handler lists may be changed: now when the loop is not running or we
  // are on it; otherwise by the loop between two events, and waits for it.
  void run_on_loop(std::function<void()> fn) {
    std::unique_lock lk(cmd_mu_);
    if (state_ != State::running || on_loop_thread()) {
      fn();
      return;
    }
    bool done = false;
    std::condition_variable cv;
    cmds_.push_back([&] {
      fn();
      std::lock_guard g(cmd_mu_);
      done = true;
      cv.notify_all();
    });
    has_cmds_.store(true, std::memory_order_release);
    wake_loop();
    cv.wait(lk, [&] { return done; });
  }

  void apply_cmds() {
    std::vector<std::function<void()>> cmds;
    {
      std::lock_guard lk(cmd_mu_);
      cmds.swap(cmds_);
      has_cmds_.store(false, std::memory_order_relaxed);
    }
    for (auto& c : cmds)
      c();
  }

  void compact() {
    for (auto& list : handlers_)
      std::erase_if(list, [](const auto& e) { return !e->active.load(std::memory_order_relaxed); });
    needs_compact_ = false;
  }

  // ---------------------------------------------------------------- publishing
  void check_open() const {
    if (state_.load(std::memory_order_acquire) == State::stopped)
      throw BusStateError("EventBus: publish after the bus stopped");
  }

  // The ring's claim is a seq_cst RMW, so these seq_cst loads (plain loads on x86) pair with
  // the seq_cst stores in idle_wait() and finish(): either we see the loop asleep / the bus
  // stopped, or the loop sees our claim. No fence on the fast path.
  void after_push() {
    if (!spin_ && sleeping_.load(std::memory_order_seq_cst)) wake_loop();
    if (state_.load(std::memory_order_seq_cst) == State::stopped) late_sweep();
  }

  // A publish raced with the bus stopping: its event may have been dispatched, swept by
  // finish(), or pushed after that sweep. Sweep again; if anything was left, it is reported
  // (orders written out) and the publisher learns it.
  void late_sweep() {
    if (report_leftovers()) return;
    throw BusStateError(
        "EventBus: publish raced with the bus stopping; the event was reported "
        "as unprocessed (order events written to the pending-orders file)");
  }

  void wake_loop() {
    {
      std::lock_guard lk(sleep_mu_);
      wake_ = true;
    }
    sleep_cv_.notify_one();
    if (in_io_wait_.load(std::memory_order_acquire)) asio::post(io_, [] {});
  }

  bool try_publish(Event& e, Lane l) {
    check_open();
    LaneState& ls = lane(l);
    if (on_loop_thread())
      return ls.parked_size.load(std::memory_order_relaxed) == 0 && push_from_loop(ls, e);
    if (!ls.ring.try_push(e)) return false;
    after_push();
    return true;
  }

  void publish(Event&& e, Lane l) {
    publish_made(l, [&]() noexcept { return std::move(e); });
  }

  // Every publish that may wait goes here. `make()` builds the event: in its queue slot when
  // there is room (no temporary to move and destroy), as a value for the full-queue paths.
  template <class Make>
  [[gnu::always_inline]] void publish_made(Lane l, Make&& make) {
    check_open();
    LaneState& ls = lane(l);
    if (on_loop_thread()) return publish_on_loop(ls, make);
    if (ls.ring.try_emplace(make)) return after_push();
    publish_slow(make(), ls);
  }

  // The loop thread must never wait for space it alone can make. Inlined: a handler's publish
  // is the same-thread hot path, and the full-queue case stays out of line.
  template <class Make>
  [[gnu::always_inline]] void publish_on_loop(LaneState& ls, Make&& make) {
    if (ls.parked_size.load(std::memory_order_relaxed) == 0 &&
        (ls.stages ? publish_from_loop(ls.stage, ls.ring, make) : ls.ring.try_emplace(make)))
      return;
    publish_on_loop_full(make(), ls);
  }

  // A push into the ring from the loop thread: the staged event counts against the capacity.
  static bool push_from_loop(LaneState& ls, Event& e) noexcept {
    return ls.ring.try_push(e, ls.stage.size());
  }

  [[gnu::noinline]] void publish_on_loop_full(Event&& e, LaneState& ls) {
    switch (ls.policy.overflow) {
      case Overflow::wait_forever:
        park(ls, std::move(e));
        return;
      case Overflow::drop_newest:
        drop(ls, e);
        return;
      case Overflow::drop_oldest:
        evict_and_push(ls, std::move(e));
        return;
      case Overflow::fail:
        bump_shared(ls.block_timeouts);
        throw QueueFullError(fmt::format(
            "{} queue full (capacity {}) on a publish from the bus loop thread; waiting would "
            "deadlock the loop: use co_await async_publish from a coroutine handler",
            to_string(ls.lane), ls.policy.capacity));
    }
  }

  void park(LaneState& ls, Event&& e) {
    ls.parked.push_back(std::move(e));
    ls.parked_size.store(ls.parked.size(), std::memory_order_relaxed);
    bump_shared(ls.parked_total);
    any_parked_ = true;
  }

  static void bump_shared(std::atomic<std::uint64_t>& c) noexcept {
    c.fetch_add(1, std::memory_order_relaxed);
  }

  void drop(LaneState& ls, const Event& e) {
    const auto n = ls.dropped.fetch_add(1, std::memory_order_relaxed) + 1;
    if (observer_) observer_->on_dropped(e, ls.lane);
    if ((n & (n - 1)) == 0)  // log the 1st, 2nd, 4th, 8th ... drop: visible, never a flood
      spdlog::warn("{} queue full (capacity {}): dropped {} {} so far", to_string(ls.lane),
                   ls.policy.capacity, n, n == 1 ? "event" : "events");
  }

  void evict_and_push(LaneState& ls, Event&& e) {
    for (;;) {
      Event old;
      if (ls.ring.try_pop_any(old)) drop(ls, old);
      if (ls.ring.try_push(e)) {
        if (!on_loop_thread()) after_push();
        return;
      }
    }
  }

  void publish_slow(Event&& e, LaneState& ls) {
    const bool forever = ls.policy.overflow == Overflow::wait_forever;
    const auto deadline = forever ? Clock::time_point::max() : Clock::now() + ls.policy.wait;
    if (wait_for_space(ls, e, deadline)) return;
    bump_shared(ls.block_timeouts);
    switch (ls.policy.overflow) {
      case Overflow::drop_newest:
        drop(ls, e);
        return;
      case Overflow::drop_oldest:
        evict_and_push(ls, std::move(e));
        return;
      case Overflow::fail:
        throw QueueFullError(fmt::format(
            "{} queue stayed full (capacity {}) for {} ms; {} not published", to_string(ls.lane),
            ls.policy.capacity,
            std::chrono::duration_cast<std::chrono::milliseconds>(ls.policy.wait).count(),
            to_string(e.type)));
      case Overflow::wait_forever:
        return;  // unreachable: waits until pushed or throws
    }
  }

  // Pushes `e` once there is room before `deadline`; true when pushed. Throws BusStateError if
  // the bus stops meanwhile (the event was not queued, and the caller learns it).
  bool wait_for_space(LaneState& ls, Event& e, Clock::time_point deadline) {
    // Spin until the loop has freed room for a batch, not one place, and look at its position
    // only every few pauses. A publisher that takes each place the moment it is freed reads
    // and writes the loop's cache lines once per event, and the loop pays for every transfer.
    const std::size_t batch = std::clamp<std::size_t>(ls.policy.capacity / 8, 1, kRefillBatch);
    for (int i = 0; i < kFullSpins && state_.load(std::memory_order_relaxed) != State::stopped;
         ++i) {
      // A wait shorter than the spin (a data queue set to drop at once) ends inside it.
      if (Clock::now() >= deadline) break;
      for (int k = 0; k < kPausesPerLook; ++k)
        TRADEBUS_CPU_RELAX();
      if (ls.ring.room() >= batch && ls.ring.try_push(e)) return after_push(), true;
    }
    ls.space_waiters.fetch_add(1, std::memory_order_seq_cst);
    std::unique_lock lk(ls.space_mu);
    for (;;) {
      if (state_.load(std::memory_order_acquire) == State::stopped) {
        ls.space_waiters.fetch_sub(1);
        throw BusStateError(
            fmt::format("EventBus stopped while a {} publish waited for room", to_string(ls.lane)));
      }
      if (ls.ring.try_push(e)) {
        ls.space_waiters.fetch_sub(1);
        lk.unlock();
        after_push();
        return true;
      }
      const auto now = Clock::now();
      if (now >= deadline) {
        ls.space_waiters.fetch_sub(1);
        return false;
      }
      // The 1 ms slice bounds any wake-up we could miss; the normal wake is the loop's notify.
      ls.space_cv.wait_until(lk, std::min(deadline, now + std::chrono::milliseconds(1)));
    }
  }

  bool publish_for(Event& e, Lane l, std::chrono::nanoseconds timeout) {
    check_open();
    LaneState& ls = lane(l);
    if (on_loop_thread()) return try_publish(e, l);
    if (ls.ring.try_push(e)) return after_push(), true;
    return wait_for_space(ls, e, Clock::now() + timeout);
  }

  asio::awaitable<void> async_publish(Event e, Lane l) {
    check_open();
    LaneState& ls = lane(l);
    if (on_loop_thread()) {
      // Never wait on the loop thread for the never-drop queue: park keeps order and bounds
      // nothing but what handlers publish. Other policies may wait: the loop keeps running.
      if (ls.policy.overflow == Overflow::wait_forever ||
          ls.policy.overflow == Overflow::drop_oldest) {
        publish_on_loop(ls, [&]() noexcept { return std::move(e); });
        co_return;
      }
      if (ls.parked_size.load(std::memory_order_relaxed) == 0 && push_from_loop(ls, e)) co_return;
    } else if (ls.ring.try_push(e)) {
      after_push();
      co_return;
    }
    const bool forever = ls.policy.overflow == Overflow::wait_forever;
    const auto deadline = forever ? Clock::time_point::max() : Clock::now() + ls.policy.wait;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto backoff = std::chrono::microseconds(5);
    for (;;) {
      timer.expires_after(backoff);
      co_await timer.async_wait(asio::use_awaitable);
      check_open();
      if (on_loop_thread() ? push_from_loop(ls, e) : ls.ring.try_push(e)) {
        if (!on_loop_thread()) after_push();
        co_return;
      }
      if (Clock::now() >= deadline) break;
      backoff = std::min(backoff * 2, std::chrono::microseconds(1000));
    }
    bump_shared(ls.block_timeouts);
    if (ls.policy.overflow == Overflow::drop_newest) {
      drop(ls, e);
      co_return;
    }
    throw QueueFullError(fmt::format(
        "{} queue stayed full (capacity {}) for {} ms", to_string(ls.lane), ls.policy.capacity,
        std::chrono::duration_cast<std::chrono::milliseconds>(ls.policy.wait).count()));
  }

  // ---------------------------------------------------------------- the loop
  void loop_body() {
    tl_loop_bus = this;
    std::uint64_t iteration = 0;
    for (;;) {
      if (has_cmds_.load(std::memory_order_acquire)) apply_cmds();
      if (needs_compact_) compact();
      if (any_parked_) unpark();
      std::size_t n = dispatch_batch();
      if (n != 0) notify_space_waiters();
      if (coro_pending_ != 0 || (++iteration & 1023) == 0) n += poll_io();
      // Once per burst, before the drain check, so a drained bus has run its hooks last.
      if (n != 0)
        active_since_idle_ = true;
      else if (active_since_idle_)
        run_idle_hooks();
      const int mode = exit_mode_.load(std::memory_order_acquire);
      if (mode == kStopNow) break;
      if (mode == kDrain) {
        if (n == 0 && nothing_left()) break;
        if (Clock::now() >= drain_deadline()) break;
      }
      if (n != 0) idle_spins_ = 0;
      if (n == 0) {
        idle_epoch_.store(idle_epoch_.load(std::memory_order_relaxed) + 1,
                          std::memory_order_release);
        // Pairs with the fence in wait_idle(): the next pass sees every event published before
        // a wait_idle() that read the epoch from before this step. Idle passes only.
        std::atomic_thread_fence(std::memory_order_seq_cst);
        idle_wait();
      }
    }
    tl_loop_bus = nullptr;
    finish();
  }

  static constexpr int kRun = 0, kDrain = 1, kStopNow = 2;

  std::size_t dispatch_batch() {
    std::size_t n = 0;
    while (n < 256) {
      bool got = false;
      for (std::size_t i = 0; i < ready_count_; ++i) {  // priority: order, signal, data
        LaneState& ls = *ready_lanes_[i];
        // Dispatch where the event lies: no copy out.
        if (consume_oldest(ls.stage, ls.ring, [&](Event& ev) noexcept { dispatch(ev, ls); })) {
          bump(ls.dispatched);
          got = true;
          break;
        }
      }
      if (!got) break;
      ++n;
      if (needs_compact_) compact();
      const int mode = exit_mode_.load(std::memory_order_relaxed);
      if (mode == kStopNow || (mode == kDrain && Clock::now() >= drain_deadline())) break;
      if (any_parked_) unpark();
    }
    return n;
  }

  void run_idle_hooks() {
    active_since_idle_ = false;
    for (IdleHook& h : idle_hooks_) {
      try {
        h.fn();
      } catch (...) {
        const auto n = ++h.errors;
        if (worth_logging(n))
          spdlog::error("idle hook '{}' failed ({} errors so far): {}", h.name, n,
                        current_failure());
      }
    }
  }

  void unpark() {
    bool left = false;
    for (auto& ls : lanes_) {
      while (!ls->parked.empty() && push_from_loop(*ls, ls->parked.front()))
        ls->parked.pop_front();
      ls->parked_size.store(ls->parked.size(), std::memory_order_relaxed);
      left |= !ls->parked.empty();
    }
    any_parked_ = left;
  }

  // No fence: a waiting publisher re-checks at least every millisecond, so a wake-up missed
  // in the race costs at most that, on the overflow path only.
  void notify_space_waiters() {
    for (auto& ls : lanes_) {
      if (ls->space_waiters.load(std::memory_order_relaxed) > 0) {
        std::lock_guard lk(ls->space_mu);
        ls->space_cv.notify_all();
      }
    }
  }

  std::size_t poll_io() {
    if (io_.stopped()) io_.restart();
    return io_.poll();
  }

  bool nothing_left() const {
    if (coro_pending_ != 0 || any_parked_) return false;
    for (auto& ls : lanes_)
      if (ls->ring.size_approx() != 0 || ls->stage.waiting()) return false;
    return true;
  }

  bool anything_ready() const {
    if (has_cmds_.load(std::memory_order_relaxed) || any_parked_) return true;
    for (auto& ls : lanes_)
      if (!ls->busy && (ls->stage.waiting() || ls->ring.has_claimed())) return true;
    return false;
  }

  void idle_wait() {
    if (spin_) {
      TRADEBUS_CPU_RELAX();
      return;
    }
    // Spin a little before sleeping: a producer that keeps publishing then never pays for a
    // futex wake-up, and an idle loop still sleeps within a few microseconds.
    if (++idle_spins_ < kSpinsBeforeSleep) {
      TRADEBUS_CPU_RELAX();
      return;
    }
    idle_spins_ = 0;
    sleeping_.store(true, std::memory_order_seq_cst);
    if (anything_ready() || exit_mode_.load(std::memory_order_acquire) != kRun) {
      sleeping_.store(false, std::memory_order_relaxed);
      return;
    }
    if (coro_pending_ != 0) {
      // Suspended coroutine handlers wait on asio timers or I/O: sleep inside the reactor.
      in_io_wait_.store(true, std::memory_order_seq_cst);
      if (!anything_ready()) {
        if (io_.stopped()) io_.restart();
        io_.run_one_for(std::chrono::milliseconds(5));
      }
      in_io_wait_.store(false, std::memory_order_relaxed);
    } else {
      std::unique_lock lk(sleep_mu_);
      sleep_cv_.wait_for(lk, std::chrono::milliseconds(100), [&] { return wake_; });
      wake_ = false;
    }
    sleeping_.store(false, std::memory_order_relaxed);
  }

  // ---------------------------------------------------------------- dispatch
  void dispatch(Event& ev, LaneState& ls) noexcept {
    ev.sequence = ++sequence_;
    if (observer_) observer_->on_dispatch(ev);
    auto& list = handlers_[static_cast<std::size_t>(ev.type)];
    const std::size_t count = list.size();  // handlers added meanwhile start with the next event
    for (std::size_t i = 0; i < count; ++i) {
      HandlerEntry* h = list[i].get();
      if (!h->active.load(std::memory_order_relaxed)) continue;
      if (h->is_async) {
        spawn_async_tail(std::move(ev), ls, i);  // the coroutine frame owns the event now
        break;
      }
      call_handler(*h, ev);
    }
  }

  bool should_time(HandlerEntry& h) {
    const auto every = options_.handler_timing_sample;
    if (every == 0) return false;
    if (h.sample_countdown == 0) {
      h.sample_countdown = every - 1;
      return true;
    }
    --h.sample_countdown;
    return false;
  }

  // The common case kept small (it runs for every event): one attempt, not sampled for timing.
  void call_handler(HandlerEntry& h, const Event& ev) {
    const auto every = options_.handler_timing_sample;
    if (!one_attempt_ || (every != 0 && h.sample_countdown == 0)) {
      call_sync(h, ev);
      return;
    }
    if (every != 0) --h.sample_countdown;
    bump(h.calls);
    try {
      h.sync(ev);
    } catch (...) {
      on_handler_error(h, ev, current_failure(), 1);
    }
  }

  // Names the exception being handled, for the log, the ERROR event and a dead letter; only
  // called inside a catch block, so it costs nothing unless a handler threw.
  static std::string current_failure() {
    try {
      throw;
    } catch (const std::exception& ex) {
      return *ex.what() != 0 ? ex.what() : "exception";
    } catch (...) {
      return "unknown exception";
    }
  }

  // Returns the failure of the last attempt, empty on success.
  std::string call_sync(HandlerEntry& h, const Event& ev) {
    const int attempts = std::max(1, options_.handler_attempts);
    std::string failure;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
      bump(h.calls);
      try {
        if (should_time(h)) {
          const auto t0 = Clock::now();
          h.sync(ev);
          h.latency.record(static_cast<std::uint64_t>((Clock::now() - t0).count()));
        } else {
          h.sync(ev);
        }
        return {};
      } catch (...) {
        failure = current_failure();
      }
      on_handler_error(h, ev, failure, attempt == attempts ? attempt : 0);
    }
    return failure;
  }

  // `final_attempt` > 0: the handler failed that many times and is given up on this event.
  void on_handler_error(HandlerEntry& h, const Event& ev, std::string_view what,
                        int final_attempt) {
    const auto n = h.errors.load(std::memory_order_relaxed) + 1;
    h.errors.store(n, std::memory_order_relaxed);
    bump(handler_errors_);
    if (worth_logging(n))
      spdlog::error("handler '{}' failed on {} #{} ({} errors so far): {}", h.name,
                    to_string(ev.type), ev.sequence, n, what);
    if (observer_) observer_->on_handler_error(ev, h.name, what);
    if (final_attempt == 0) return;  // it will be tried again
    const bool order_event = default_lane(ev.type) == Lane::order;
    if (observer_) observer_->on_dead_letter(ev, h.name, what, final_attempt);
    if (order_event)
      spdlog::critical("handler '{}' gave up on order event {} #{} after {} attempts: {}", h.name,
                       to_string(ev.type), ev.sequence, final_attempt, what);
    if (!options_.publish_handler_errors || ev.type == EventType::error) return;
    ErrorInfo info;
    info.component = ShortId::truncated(h.name);
    // An order event must never fail quietly: it is an alert, not a warning.
    info.severity = order_event ? Severity::critical : Severity::error;
    info.error_type = final_attempt > 1 ? "handler_dead_letter" : "handler_exception";
    info.message = std::string(what);
    info.context =
        fmt::format("handler={} event={} sequence={}", h.name, to_string(ev.type), ev.sequence);
    Event err(EventType::error, std::move(info), ev.timestamp_ns, "bus");
    if (!push_from_loop(lane(Lane::signal), err)) bump(error_events_dropped_);
  }

  // A lane whose coroutine handler is suspended gives no event until it finishes (FIFO inside
  // the lane); the loop scans only the others, so a busy lane costs nothing per event.
  void set_busy(LaneState& ls, bool busy) {
    ls.busy = busy;
    refresh_ready_lanes();
  }

  void refresh_ready_lanes() {
    ready_count_ = 0;
    for (auto& lp : lanes_)
      if (!lp->busy) ready_lanes_[ready_count_++] = lp.get();
  }

  // Runs handlers [from, end) of ev's list as one coroutine; the lane waits for it (FIFO).
  void spawn_async_tail(Event&& ev, LaneState& ls, std::size_t from) {
    auto& list = handlers_[static_cast<std::size_t>(ev.type)];
    std::vector<std::shared_ptr<HandlerEntry>> rest(
        list.begin() + static_cast<std::ptrdiff_t>(from), list.end());
    set_busy(ls, true);
    coro_pending_view_.store(++coro_pending_);
    auto self = shared_from_this();
    auto task = run_tail(std::move(ev), std::move(rest));
    auto done = [self, lp = &ls](std::exception_ptr) {
      self->set_busy(*lp, false);
      self->coro_pending_view_.store(--self->coro_pending_);
    };
    asio::co_spawn(io_, std::move(task), std::move(done));
  }

  asio::awaitable<void> run_tail(Event ev, std::vector<std::shared_ptr<HandlerEntry>> rest) {
    for (auto& hp : rest) {
      HandlerEntry& h = *hp;
      if (!h.active.load(std::memory_order_relaxed)) continue;
      if (!h.is_async) {
        call_sync(h, ev);
        continue;
      }
      co_await call_async(h, ev);
    }
  }

  // Runs a coroutine handler with the configured attempts, backing off between them.
  asio::awaitable<std::string> call_async(HandlerEntry& h, const Event& ev) {
    const int attempts = std::max(1, options_.handler_attempts);
    auto backoff = options_.handler_retry_backoff;
    std::string failure;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
      bump(h.calls);
      failure.clear();
      try {
        const bool timed = should_time(h);
        const auto t0 = Clock::now();
        co_await h.async(ev);
        if (timed) h.latency.record(static_cast<std::uint64_t>((Clock::now() - t0).count()));
        co_return std::string();
      } catch (...) {
        failure = current_failure();
      }
      on_handler_error(h, ev, failure, attempt == attempts ? attempt : 0);
      if (attempt < attempts) {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(backoff);
        co_await timer.async_wait(asio::use_awaitable);
        backoff *= 2;
      }
    }
    co_return failure;
  }

  // Runs the one handler named `name` on `ev` (dead-letter retry); loop thread.
  void redeliver(const std::string& name, Event ev, std::function<void(bool, std::string)> done) {
    std::shared_ptr<HandlerEntry> found;
    for (auto& list : handlers_)
      for (auto& h : list)
        if (h->name == name && h->active.load(std::memory_order_relaxed)) found = h;
    if (!found) {
      done(false, fmt::format("no handler named '{}' is subscribed", name));
      return;
    }
    if (!found->is_async) {
      std::string failure = call_sync(*found, ev);
      done(failure.empty(), std::move(failure));
      return;
    }
    auto self = shared_from_this();
    asio::co_spawn(
        io_,
        [self, found, ev = std::move(ev)]() -> asio::awaitable<std::string> {
          co_return co_await self->call_async(*found, ev);
        },
        [done = std::move(done)](std::exception_ptr p, std::string failure) {
          if (p) failure = "redelivery failed";
          done(failure.empty(), std::move(failure));
        });
  }

  // ---------------------------------------------------------------- lifecycle
  // Flips idle -> running under cmd_mu_, so run_on_loop() never races the loop's start.
  void mark_running() {
    std::lock_guard lk(cmd_mu_);
    if (state_ != State::idle || thread_.joinable())
      throw BusStateError("EventBus: already started or stopped");
    state_.store(State::running, std::memory_order_release);
  }

  void start() {
    mark_running();
    thread_ = std::thread([this] { loop_body(); });
  }

  void run() {
    mark_running();
    loop_body();
  }

  void request_exit(int mode, std::chrono::nanoseconds timeout) {
    if (mode == kDrain)
      drain_deadline_ns_.store((Clock::now() + timeout).time_since_epoch().count(),
                               std::memory_order_relaxed);
    int cur = exit_mode_.load();
    while (cur < mode && !exit_mode_.compare_exchange_weak(cur, mode)) {
    }
    wake_loop();
  }

  bool stop_and_wait(int mode = kStopNow, std::chrono::nanoseconds timeout = {}) {
    State s = state_.load(std::memory_order_acquire);
    if (s == State::idle) {
      // Never started: whatever was queued is left over.
      std::lock_guard lk(cmd_mu_);
      if (state_ == State::idle && !thread_.joinable()) {
        state_.store(State::stopped, std::memory_order_seq_cst);  // pairs with after_push()
        const bool clean = report_leftovers();
        std::lock_guard ex(exit_mu_);
        exited_ = true;  // a later stop() or the destructor must not wait for a loop
        return clean;
      }
    }
    request_exit(mode, timeout);
    if (on_loop_thread()) return false;  // the loop exits after this event
    if (thread_.joinable() && std::this_thread::get_id() != thread_.get_id()) thread_.join();
    std::unique_lock lk(exit_mu_);
    // exited_ is set after finish() reported the leftovers, so their count is final here.
    exit_cv_.wait(lk, [&] { return exited_; });
    return leftovers_.load() == 0;
  }

  void finish() {
    apply_cmds();
    {
      std::lock_guard lk(cmd_mu_);
      state_.store(State::stopped, std::memory_order_seq_cst);  // pairs with after_push()
    }
    report_leftovers();
    for (auto& ls : lanes_) {
      std::lock_guard lk(ls->space_mu);
      ls->space_cv.notify_all();  // waiting publishers see `stopped` and throw
    }
    std::lock_guard lk(exit_mu_);
    exited_ = true;
    exit_cv_.notify_all();
  }

  // Writes out every order event still queued (never silently lost) and counts the rest.
  bool report_leftovers() {
    std::lock_guard sweep(leftover_mu_);
    std::size_t left = 0;
    std::vector<std::string> orders;
    for (auto& ls : lanes_) {
      auto handle = [&](Event& e) {
        ++left;
        bump_shared(ls->discarded);
        if (observer_) observer_->on_unprocessed(e, ls->lane);
        if (ls->lane == Lane::order || default_lane(e.type) == Lane::order) {
          auto line = to_json(e);
          spdlog::critical("order event left unprocessed at shutdown: {}", line);
          orders.push_back(std::move(line));
        }
      };
      if (ls->stage.waiting()) {  // the oldest: staged only while the ring was empty
        Event staged;
        ls->stage.consume([&](Event& e) noexcept { staged = std::move(e); });
        handle(staged);
      }
      // Waits for producers between their claim and their publish: nothing claimed is missed.
      ls->ring.drain_all(handle);
      for (auto& p : ls->parked)
        handle(p);
      ls->parked.clear();
      ls->parked_size.store(0);
    }
    any_parked_ = false;
    if (left != 0)
      spdlog::warn("EventBus stopped with {} unprocessed events ({} order events)", left,
                   orders.size());
    if (!orders.empty() && !options_.pending_orders_file.empty()) {
      std::ofstream out(options_.pending_orders_file, std::ios::app);
      for (auto& o : orders)
        out << o << '\n';
      out.flush();
      if (out)
        spdlog::critical("{} pending order events written to {} for manual review", orders.size(),
                         options_.pending_orders_file);
      else
        spdlog::critical("could not write pending orders to {}", options_.pending_orders_file);
    }
    leftovers_.fetch_add(left);
    return left == 0;
  }

  // Idle means: the loop completed a pass that *began* after we looked and found nothing to do,
  // and the queues are still empty. One epoch step is not enough: the pass that ends with it
  // may have begun before the caller's last publish was visible, and while that event's
  // handler runs the ring already reads empty. The second step ends a pass that began after
  // the first, hence after we looked. Waking the loop forces such passes in blocking mode.
  // "After we looked" needs the fence pair: without it the caller's last publish could still
  // sit in its CPU's store buffer while it reads the epoch (a store may pass a later load, even
  // on x86), and the loop could finish both passes without seeing the event.
  bool wait_idle(std::chrono::nanoseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      if (state_.load() != State::running) return nothing_queued();
      std::atomic_thread_fence(std::memory_order_seq_cst);
      const auto epoch = idle_epoch_.load(std::memory_order_acquire);
      const auto passed = [&] { return idle_epoch_.load(std::memory_order_acquire) - epoch >= 2; };
      wake_loop();
      for (int polls = 1; !passed(); ++polls) {
        if (Clock::now() >= deadline || state_.load() != State::running) break;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        if (polls % 20 == 0) wake_loop();  // the loop may have gone back to sleep in between
      }
      if (passed() && nothing_queued() && coro_pending_view_.load() == 0) return true;
      if (Clock::now() >= deadline) return false;
    }
  }

  bool nothing_queued() const {
    for (auto& ls : lanes_)
      if (ls->ring.size_approx() != 0 || ls->stage.waiting() || ls->parked_size.load() != 0)
        return false;
    return true;
  }

  BusStats stats() const {
    BusStats s;
    for (std::size_t i = 0; i < kLaneCount; ++i) {
      const LaneState& ls = *lanes_[i];
      QueueStats& q = s.queues[i];
      q.lane = ls.lane;
      q.capacity = ls.policy.capacity;
      q.parked = ls.parked_total.load(std::memory_order_relaxed);
      // Parked events are counted when they enter the ring.
      q.published = ls.ring.pushed() + ls.stage.staged();
      q.dispatched = ls.dispatched.load(std::memory_order_relaxed);
      s.events_dispatched += q.dispatched;
      q.dropped = ls.dropped.load(std::memory_order_relaxed);
      q.block_timeouts = ls.block_timeouts.load(std::memory_order_relaxed);
      q.discarded_at_shutdown = ls.discarded.load(std::memory_order_relaxed);
      q.depth =
          ls.ring.size_approx() + ls.stage.size() + ls.parked_size.load(std::memory_order_relaxed);
    }
    s.handler_errors = handler_errors_.load(std::memory_order_relaxed);
    s.error_events_dropped = error_events_dropped_.load(std::memory_order_relaxed);
    std::lock_guard lk(registry_mu_);
    for (const auto& h : all_handlers_) {
      HandlerStats hs;
      hs.name = h->name;
      hs.type = h->type;
      hs.coroutine = h->is_async;
      hs.calls = h->calls.load(std::memory_order_relaxed);
      hs.errors = h->errors.load(std::memory_order_relaxed);
      hs.timed_calls = h->latency.count();
      hs.latency_p50_ns = h->latency.quantile(0.50);
      hs.latency_p99_ns = h->latency.quantile(0.99);
      hs.latency_max_ns = h->latency.max();
      hs.latency_sum_ns = h->latency.sum();
      hs.latency_cumulative.assign(kHandlerLatencyBoundsNs.size(), 0);
      for (int i = 0; i < LatencyHistogram::kBuckets; ++i) {
        const std::uint64_t n = h->latency.bucket_count(i);
        if (n == 0) continue;
        const std::uint64_t upper = LatencyHistogram::bucket_upper_bound(i);
        for (std::size_t b = 0; b < kHandlerLatencyBoundsNs.size(); ++b)
          if (upper <= kHandlerLatencyBoundsNs[b]) hs.latency_cumulative[b] += n;
      }
      s.handlers.push_back(std::move(hs));
    }
    return s;
  }

  const EventBusOptions options_;
  std::array<std::unique_ptr<LaneState>, kLaneCount> lanes_;
  const bool spin_;
  const bool one_attempt_;  // handler_attempts <= 1: the short call path
  BusObserver* observer_ = nullptr;
  asio::io_context io_{1};

  struct IdleHook {
    std::string name;
    std::function<void()> fn;
    std::uint64_t errors = 0;
  };
  std::vector<IdleHook> idle_hooks_;  // changed only where run_on_loop() runs its function
  bool active_since_idle_ = false;    // loop thread: dispatched something since the hooks ran

  // Handler lists: changed only where run_on_loop() runs its function.
  std::array<std::vector<std::shared_ptr<HandlerEntry>>, kEventTypeCount> handlers_;
  bool needs_compact_ = false;
  mutable std::mutex registry_mu_;
  std::vector<std::shared_ptr<HandlerEntry>> all_handlers_;
  std::uint64_t next_handler_id_ = 1;

  std::mutex cmd_mu_;
  std::vector<std::function<void()>> cmds_;
  std::atomic<bool> has_cmds_{false};

  std::atomic<State> state_{State::idle};
  std::atomic<int> exit_mode_{kRun};
  std::atomic<Clock::rep> drain_deadline_ns_{0};
  Clock::time_point drain_deadline() const {
    return Clock::time_point(Clock::duration(drain_deadline_ns_.load(std::memory_order_relaxed)));
  }
  std::thread thread_;
  std::mutex exit_mu_;
  std::condition_variable exit_cv_;
  bool exited_ = false;
  std::atomic<std::size_t> leftovers_{0};
  std::mutex leftover_mu_;

  // Loop-thread state.
  std::array<LaneState*, kLaneCount> ready_lanes_{};  // lanes not busy, in priority order
  std::size_t ready_count_ = 0;
  static constexpr int kSpinsBeforeSleep = 2000;  // ~20-50 us of pause instructions
  // A publisher facing a full queue: up to 16 looks 64 pauses apart (1-3 us each; 20-50 us in
  // all), then it sleeps until the loop's notify, taking any single place from then on. Each
  // look reads the loop's position, and the loop's next store to it then waits for its line to
  // come back: with a look every 4 pauses, the replay pipeline (a publisher that outruns the
  // loop) ran at 3.8-4.5 M candles/s on a 2-vCPU Xeon, with one every 64 at 6.2-7.0 M.
  static constexpr int kFullSpins = 16;
  static constexpr int kPausesPerLook = 64;
  static constexpr std::size_t kRefillBatch = 64;
  int idle_spins_ = 0;
  std::uint64_t sequence_ = 0;
  bool any_parked_ = false;
  std::size_t coro_pending_ = 0;
  std::atomic<std::size_t> coro_pending_view_{0};
  std::atomic<std::uint64_t> handler_errors_{0};
  std::atomic<std::uint64_t> error_events_dropped_{0};

  // Sleep handshake.
  alignas(64) std::atomic<bool> sleeping_{false};
  std::atomic<bool> in_io_wait_{false};
  std::atomic<std::uint64_t> idle_epoch_{0};
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  bool wake_ = false;
};

}  // namespace detail

// -------------------------------------------------------------------- Subscription
void Subscription::unsubscribe() {
  if (!entry_) return;
  if (auto bus = bus_.lock())
    bus->unsubscribe(entry_);
  else
    entry_->active.store(false);
}

bool Subscription::active() const noexcept {
  return entry_ && entry_->active.load(std::memory_order_relaxed);
}

// -------------------------------------------------------------------- EventBus
EventBus::EventBus(EventBusOptions options)
    : core_(std::make_shared<detail::BusCore>(std::move(options))) {}

EventBus::~EventBus() {
  if (core_) core_->stop_and_wait();
}

Subscription EventBus::subscribe_sync(EventType type, Handler handler, std::string name) {
  if (!handler) throw std::invalid_argument("EventBus::subscribe: empty handler");
  return core_->subscribe(type, std::move(handler), {}, std::move(name));
}
Subscription EventBus::subscribe_async(EventType type, AsyncHandler handler, std::string name) {
  if (!handler) throw std::invalid_argument("EventBus::subscribe: empty handler");
  return core_->subscribe(type, {}, std::move(handler), std::move(name));
}

void EventBus::publish(Event&& e, Lane lane) {
  core_->publish(std::move(e), lane);
}
void EventBus::publish(const Event& e, Lane lane) {
  // Copying an ERROR's text allocates and may throw, which must happen before a slot is
  // claimed; every other event copies straight into its slot.
  if (!e.copies_without_allocating()) return core_->publish(Event(e), lane);
  core_->publish_made(lane, [&]() noexcept { return Event(e); });
}
void EventBus::publish_built(Lane lane, const void* parts, EventBuilder build) {
  core_->publish_made(lane, [&]() noexcept { return build(parts); });
}
bool EventBus::try_publish(Event& e, Lane lane) {
  return core_->try_publish(e, lane);
}
bool EventBus::publish_for(Event& e, Lane lane, std::chrono::nanoseconds timeout) {
  return core_->publish_for(e, lane, timeout);
}
boost::asio::awaitable<void> EventBus::async_publish(Event e, std::optional<Lane> lane) {
  const Lane l = lane.value_or(default_lane(e.type));
  return core_->async_publish(std::move(e), l);
}

void EventBus::start() {
  core_->start();
}
void EventBus::run() {
  core_->run();
}
void EventBus::stop() {
  core_->stop_and_wait();
}
bool EventBus::shutdown(std::chrono::nanoseconds timeout) {
  return core_->stop_and_wait(detail::BusCore::kDrain, timeout);
}
bool EventBus::wait_idle(std::chrono::nanoseconds timeout) const {
  return core_->wait_idle(timeout);
}
BusStats EventBus::stats() const {
  return core_->stats();
}
bool EventBus::running() const noexcept {
  return core_->state_.load() == detail::State::running;
}
bool EventBus::on_loop_thread() const noexcept {
  return core_->on_loop_thread();
}
const EventBusOptions& EventBus::options() const noexcept {
  return core_->options_;
}
boost::asio::io_context& EventBus::io_context() noexcept {
  return core_->io_;
}
void EventBus::add_idle_hook(std::function<void()> hook, std::string name) {
  if (!hook) throw std::invalid_argument("EventBus::add_idle_hook: empty hook");
  auto& core = *core_;
  core.run_on_loop(
      [&core, h = detail::BusCore::IdleHook{std::move(name), std::move(hook)}]() mutable {
        if (h.name.empty()) h.name = fmt::format("idle#{}", core.idle_hooks_.size() + 1);
        core.idle_hooks_.push_back(std::move(h));
      });
}
void EventBus::set_observer(BusObserver* observer) {
  core_->observer_ = observer;
}

void EventBus::redeliver(const std::string& handler, Event e,
                         std::function<void(bool, std::string)> done) {
  auto core = core_;
  core->run_on_loop([core, handler, e = std::move(e), done = std::move(done)]() mutable {
    core->redeliver(handler, std::move(e), std::move(done));
  });
}

}  // namespace tradebus
