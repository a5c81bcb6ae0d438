// EventBus: publish/subscribe over three bounded priority queues (order > signal > data),
// dispatched by one loop thread, so handlers never run concurrently and need no locks.
//
// Thread rules (see docs/event-bus.md):
// - publish / try_publish / publish_for / async_publish: any thread.
// - Handlers run on the loop thread only, in subscription order, one event at a time per queue.
// - On the loop thread a full queue never makes the caller wait (that would deadlock the loop):
//   wait_forever queues park the event in order, dropping queues drop at once, and a `fail`
//   queue throws QueueFullError at once. Coroutine handlers may co_await async_publish, which
//   suspends only the handler while the loop keeps dispatching the other queues.
// - subscribe / unsubscribe / stats: any thread.
#pragma once

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/awaitable.hpp>

#include "tradebus/bus/bus_errors.hpp"
#include "tradebus/bus/bus_stats.hpp"
#include "tradebus/bus/queue_policy.hpp"
#include "tradebus/bus/subscription.hpp"
#include "tradebus/model/event.hpp"

namespace boost::asio {
class io_context;
}

namespace tradebus {

struct EventBusOptions {
  QueuePolicy data = QueuePolicy::data_default();
  QueuePolicy signal = QueuePolicy::signal_default();
  QueuePolicy order = QueuePolicy::order_default();
  WaitStrategy wait_strategy = WaitStrategy::blocking;
  /// Time every Nth call of each handler for its latency histogram (1 = every call, 0 = never).
  std::uint32_t handler_timing_sample = 64;
  /// Where order events still queued when the bus stops are written (JSON lines, appended),
  /// besides a critical log line each. Empty: log only.
  std::string pending_orders_file = "tradebus-pending-orders.jsonl";
  /// Publish an ERROR event (signal queue) when a handler throws.
  bool publish_handler_errors = true;
  /// Calls of a throwing handler per event before it gives up on the event (dead letter):
  /// plain handlers are called again at once, coroutine handlers after a back-off that starts
  /// at handler_retry_backoff and doubles.
  int handler_attempts = 1;
  std::chrono::milliseconds handler_retry_backoff{10};

  const QueuePolicy& policy(Lane l) const {
    return l == Lane::order ? order : l == Lane::signal ? signal : data;
  }
};

/// Seams for the journal, dead-letter store and metrics: called by the bus, must not throw.
class BusObserver {
 public:
  virtual ~BusObserver() = default;
  /// Loop thread, before the handlers of `e` run (e.sequence is set).
  virtual void on_dispatch(const Event& /*e*/) {}
  /// Loop thread, after a handler threw.
  virtual void on_handler_error(const Event& /*e*/, std::string_view /*handler*/,
                                std::string_view /*what*/) {}
  /// Loop thread, when a handler failed its last attempt on `e`: the event is a dead letter
  /// for that handler. (An order event's dead letter also raises a critical ERROR.)
  virtual void on_dead_letter(const Event& /*e*/, std::string_view /*handler*/,
                              std::string_view /*what*/, int /*attempts*/) {}
  /// Publisher's thread, when an event is dropped or evicted under overflow.
  virtual void on_dropped(const Event& /*e*/, Lane /*lane*/) {}
  /// Thread that stopped the bus, for each event left unprocessed.
  virtual void on_unprocessed(const Event& /*e*/, Lane /*lane*/) {}
};

namespace detail {
class BusCore;
}

class EventBus {
 public:
  using Handler = std::function<void(const Event&)>;
  using AsyncHandler = std::function<boost::asio::awaitable<void>(const Event&)>;

  explicit EventBus(EventBusOptions options = {});
  /// Stops the loop without draining (see stop()).
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  /// Registers `handler` for `type`; it runs after the handlers subscribed before it.
  /// A callable returning boost::asio::awaitable<void> is run as a coroutine.
  template <class F>
  requires std::invocable<F&, const Event&> Subscription subscribe(EventType type, F&& handler,
                                                                   std::string name = {}) {
    if constexpr (std::is_same_v<std::invoke_result_t<F&, const Event&>,
                                 boost::asio::awaitable<void>>)
      return subscribe_async(type, AsyncHandler(std::forward<F>(handler)), std::move(name));
    else
      return subscribe_sync(type, Handler(std::forward<F>(handler)), std::move(name));
  }
  Subscription subscribe_sync(EventType type, Handler handler, std::string name = {});
  Subscription subscribe_async(EventType type, AsyncHandler handler, std::string name = {});

  /// Queues `e` on its default lane (default_lane(e.type)), waiting per the lane's policy.
  /// Throws QueueFullError (fail policy), BusStateError after the bus stopped.
  void publish(Event&& e) { publish(std::move(e), default_lane(e.type)); }
  void publish(Event&& e, Lane lane);
  /// Copies `e` into the queue; otherwise as publish(Event&&).
  void publish(const Event& e) { publish(e, default_lane(e.type)); }
  void publish(const Event& e, Lane lane);
  /// Builds the event in its queue slot from a Candle, Signal, Order or Fill, so no temporary
  /// Event is moved and destroyed (what the engine and collectors use); lane defaults to
  /// default_lane(type). Otherwise as publish(Event&&).
  template <class T>
  requires std::is_trivially_copyable_v<T> && std::is_constructible_v<Payload, const T&>
  void publish(EventType type, const T& payload, std::int64_t ts_ns, SourceId source,
               std::optional<Lane> lane = std::nullopt) {
    struct Parts {
      EventType type;
      const T& payload;
      std::int64_t ts_ns;
      SourceId source;
    };
    const Parts parts{type, payload, ts_ns, source};
    publish_built(lane.value_or(default_lane(type)), &parts, [](const void* p) noexcept {
      const auto& a = *static_cast<const Parts*>(p);
      return Event(a.type, a.payload, a.ts_ns, a.source);
    });
  }
  /// Queues `e` if there is room now; never waits. On false, `e` is left untouched.
  [[nodiscard]] bool try_publish(Event& e) { return try_publish(e, default_lane(e.type)); }
  [[nodiscard]] bool try_publish(Event& e, Lane lane);
  /// Waits at most `timeout` for room (ignoring the lane's policy); on false `e` is untouched.
  [[nodiscard]] bool publish_for(Event& e, Lane lane, std::chrono::nanoseconds timeout);
  /// Coroutine publish: suspends the calling coroutine, never its thread, while it waits.
  boost::asio::awaitable<void> async_publish(Event e, std::optional<Lane> lane = std::nullopt);

  /// Starts the loop thread. Throws BusStateError if already started.
  void start();
  /// Runs the loop on the calling thread until stop()/shutdown() (instead of start()).
  void run();
  /// Stops after the event being dispatched; queued events are not dispatched: order events
  /// among them are written out (pending_orders_file), the rest counted. Blocks until the loop
  /// has exited, except when called on the loop thread.
  void stop();
  /// Drains the queues in priority order for at most `timeout`, then stops as stop() does.
  /// Returns true when nothing was left. Blocks as stop() does.
  bool shutdown(std::chrono::nanoseconds timeout);
  /// Blocks until every queue is empty and no handler runs, or `timeout` passes; true if idle.
  bool wait_idle(std::chrono::nanoseconds timeout) const;

  BusStats stats() const;
  bool running() const noexcept;
  bool on_loop_thread() const noexcept;
  const EventBusOptions& options() const noexcept;
  /// The loop's io_context: coroutine handlers' timers and I/O complete on the loop thread.
  boost::asio::io_context& io_context() noexcept;
  /// Calls `hook` on the loop thread whenever the loop runs out of events after dispatching
  /// some: once per burst, before it waits, and never while a steady load keeps a queue
  /// non-empty. For work that should coalesce rather than run per event (refreshing a view of
  /// the books, flushing a batch). A hook may publish as a handler does; its events are
  /// dispatched and the hook is called again after them. It must not block. A throwing hook is
  /// logged and the loop goes on. A drained bus (shutdown) calls its hooks after the last event;
  /// wait_idle() returns true only after they ran. Any thread; the hook lives as long as the bus.
  void add_idle_hook(std::function<void()> hook, std::string name = {});
  /// Installs the observer (not owned); call before start().
  void set_observer(BusObserver* observer);
  /// Calls the handler named `handler` (only that one) with `e` on the loop thread, with the
  /// usual attempts; then `done(succeeded, last error)` on the loop thread. For retrying a dead
  /// letter. Blocks until the call started; any thread but the loop's.
  void redeliver(const std::string& handler, Event e, std::function<void(bool, std::string)> done);

 private:
  // Type-erased across the pimpl: `build(parts)` makes the event where it will be queued.
  using EventBuilder = Event (*)(const void*) noexcept;
  void publish_built(Lane lane, const void* parts, EventBuilder build);

  std::shared_ptr<detail::BusCore> core_;
};

}  // namespace tradebus
