// EventBus: subscription, dispatch order, priorities, error isolation, threads (seed §7).
#include "tradebus/bus/event_bus.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "support/eventually.hpp"
#include "support/recording_handler.hpp"

using namespace tradebus;
using namespace std::chrono_literals;
using test::candle_event;
using test::eventually;
using test::order_event;
using test::RecordingHandler;
using test::signal_event;

using test::quiet_bus_options;

TEST(EventBus, DeliversToSubscribedHandler) {
  EventBus bus(quiet_bus_options());
  RecordingHandler rec;
  bus.subscribe(EventType::candle_closed, std::ref(rec), "rec");
  bus.start();
  bus.publish(candle_event(7));
  ASSERT_TRUE(bus.wait_idle(10s));
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec.events()[0].as<Candle>().open_time_ns, 7);
  EXPECT_EQ(rec.events()[0].sequence, 1u);
}

TEST(EventBus, PublishFromPartsQueuesTheSameEventOnItsLane) {
  EventBus bus(quiet_bus_options());
  RecordingHandler orders, candles;
  bus.subscribe(EventType::order_created, std::ref(orders));
  bus.subscribe(EventType::candle_closed, std::ref(candles));
  const Event order = order_event(5);
  const Event candle = candle_event(6);
  bus.publish(EventType::order_created, order.as<Order>(), 5, "test");  // its default lane
  bus.publish(EventType::candle_closed, candle.as<Candle>(), 6, "test", Lane::signal);
  EXPECT_EQ(bus.stats().queue(Lane::order).depth, 1u);
  EXPECT_EQ(bus.stats().queue(Lane::signal).depth, 1u);
  EXPECT_EQ(bus.stats().queue(Lane::data).depth, 0u);
  bus.start();
  ASSERT_TRUE(bus.wait_idle(10s));
  ASSERT_EQ(orders.size(), 1u);
  ASSERT_EQ(candles.size(), 1u);
  for (const auto& [got, want] :
       {std::pair{orders.events()[0], order}, std::pair{candles.events()[0], candle}}) {
    EXPECT_EQ(got.type, want.type);
    EXPECT_EQ(got.timestamp_ns, want.timestamp_ns);
    EXPECT_EQ(got.source, want.source);
    EXPECT_EQ(got.payload, want.payload);
    EXPECT_GT(got.sequence, 0u);
  }
}

TEST(EventBus, PublishingAConstEventCopiesItAndLeavesTheOriginal) {
  EventBus bus(quiet_bus_options());
  RecordingHandler errors, candles;
  bus.subscribe(EventType::error, std::ref(errors));
  bus.subscribe(EventType::candle_closed, std::ref(candles));
  ErrorInfo info;
  info.component = "test";
  info.message = std::string(300, 'm');  // heap text: copied before a slot is claimed
  info.context = "{\"order\":1}";
  const Event error(EventType::error, info, 3, "test");
  const Event candle = candle_event(4);  // copied straight into its slot
  bus.publish(error);
  bus.publish(candle, Lane::order);
  EXPECT_EQ(bus.stats().queue(Lane::order).depth, 1u);
  bus.start();
  ASSERT_TRUE(bus.wait_idle(10s));
  ASSERT_EQ(errors.size(), 1u);
  ASSERT_EQ(candles.size(), 1u);
  EXPECT_EQ(errors.events()[0].as<ErrorInfo>(), info);
  EXPECT_EQ(candles.events()[0].payload, candle.payload);
  EXPECT_EQ(error.as<ErrorInfo>().message, std::string(300, 'm'));
  EXPECT_EQ(error.sequence, 0u);
}

TEST(EventBus, RunsMultipleHandlersInSubscriptionOrder) {
  EventBus bus(quiet_bus_options());
  std::vector<int> order;
  bus.subscribe(EventType::candle_closed, [&](const Event&) { order.push_back(1); });
  bus.subscribe(EventType::candle_closed, [&](const Event&) { order.push_back(2); });
  bus.subscribe(EventType::candle_closed, [&](const Event&) { order.push_back(3); });
  bus.start();
  bus.publish(candle_event(1));
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(bus.stats().handlers.size(), 3u);
}

TEST(EventBus, OnlyHandlersOfTheEventTypeRun) {
  EventBus bus(quiet_bus_options());
  RecordingHandler candles, orders;
  bus.subscribe(EventType::candle_closed, std::ref(candles));
  bus.subscribe(EventType::order_filled, std::ref(orders));
  bus.start();
  bus.publish(candle_event(1));
  bus.publish(candle_event(2));
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_EQ(candles.size(), 2u);
  EXPECT_EQ(orders.size(), 0u);
}

TEST(EventBus, DispatchesOrderBeforeSignalBeforeData) {
  EventBus bus(quiet_bus_options());
  std::vector<EventType> seen;
  for (auto t : {EventType::candle_closed, EventType::signal_generated, EventType::order_created})
    bus.subscribe(t, [&](const Event& e) { seen.push_back(e.type); });
  // Queue before starting, interleaved: the loop must pick by priority, FIFO inside a queue.
  for (int i = 0; i < 5; ++i) {
    bus.publish(candle_event(i));
    bus.publish(signal_event(i));
    bus.publish(order_event(i));
  }
  bus.start();
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  ASSERT_EQ(seen.size(), 15u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(seen[i], EventType::order_created);
  for (int i = 5; i < 10; ++i)
    EXPECT_EQ(seen[i], EventType::signal_generated);
  for (int i = 10; i < 15; ++i)
    EXPECT_EQ(seen[i], EventType::candle_closed);
}

TEST(EventBus, HandlerPublishesAreServedByPriorityBeforeTheNextCandle) {
  EventBus bus(quiet_bus_options());
  std::vector<std::string> trace;
  bus.subscribe(EventType::candle_closed, [&](const Event& e) {
    trace.push_back("candle" + std::to_string(e.timestamp_ns));
    bus.publish(signal_event(e.timestamp_ns));
  });
  bus.subscribe(EventType::signal_generated, [&](const Event& e) {
    trace.push_back("signal" + std::to_string(e.timestamp_ns));
    bus.publish(order_event(e.timestamp_ns));
  });
  bus.subscribe(EventType::order_created,
                [&](const Event& e) { trace.push_back("order" + std::to_string(e.timestamp_ns)); });
  for (int i = 0; i < 3; ++i)
    bus.publish(candle_event(i));
  bus.start();
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  EXPECT_EQ(trace, (std::vector<std::string>{"candle0", "signal0", "order0", "candle1", "signal1",
                                             "order1", "candle2", "signal2", "order2"}));
}

TEST(EventBus, ThrowingHandlerDoesNotStopOthersOrLaterEvents) {
  EventBus bus(quiet_bus_options());
  RecordingHandler after, errors;
  bus.subscribe(
      EventType::candle_closed, [](const Event&) { throw std::runtime_error("boom"); }, "failing");
  bus.subscribe(EventType::candle_closed, std::ref(after), "working");
  bus.subscribe(EventType::error, std::ref(errors), "errors");
  bus.start();
  bus.publish(candle_event(1));
  bus.publish(candle_event(2));
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  EXPECT_EQ(after.size(), 2u);
  ASSERT_EQ(errors.size(), 2u);  // one ERROR event per failure (seed §5.3)
  const ErrorInfo info = errors.events()[0].as<ErrorInfo>();
  EXPECT_EQ(info.message, "boom");
  EXPECT_NE(info.context.find("handler=failing"), std::string::npos) << info.context;
  const auto st = bus.stats();
  EXPECT_EQ(st.handler_errors, 2u);
  EXPECT_EQ(st.handlers[0].name, "failing");
  EXPECT_EQ(st.handlers[0].errors, 2u);
  EXPECT_EQ(st.handlers[1].errors, 0u);
}

TEST(EventBus, CoroutineHandlersRunAndTheirErrorsAreIsolated) {
  EventBus bus(quiet_bus_options());
  std::vector<std::string> trace;
  RecordingHandler errors;
  bus.subscribe(
      EventType::candle_closed,
      [&](const Event& e) -> boost::asio::awaitable<void> {
        boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
        t.expires_after(1ms);
        co_await t.async_wait(boost::asio::use_awaitable);  // really suspends
        trace.push_back("coro" + std::to_string(e.timestamp_ns));
        if (e.timestamp_ns == 1) throw std::runtime_error("coroutine boom");
      },
      "coro");
  bus.subscribe(EventType::candle_closed,
                [&](const Event& e) { trace.push_back("sync" + std::to_string(e.timestamp_ns)); });
  bus.subscribe(EventType::error, std::ref(errors));
  bus.start();
  for (int i = 0; i < 3; ++i)
    bus.publish(candle_event(i));
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  // FIFO within the queue is kept even though the coroutine suspends.
  EXPECT_EQ(trace,
            (std::vector<std::string>{"coro0", "sync0", "coro1", "sync1", "coro2", "sync2"}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.events()[0].as<ErrorInfo>().message, "coroutine boom");
  EXPECT_TRUE(bus.stats().handlers[0].coroutine);
}

TEST(EventBus, SuspendedCoroutineInOneQueueDoesNotBlockTheOthers) {
  EventBus bus(quiet_bus_options());
  std::atomic<bool> order_seen{false};
  std::atomic<bool> release{false};
  bus.subscribe(EventType::candle_closed, [&](const Event&) -> boost::asio::awaitable<void> {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
    while (!release) {
      t.expires_after(1ms);
      co_await t.async_wait(boost::asio::use_awaitable);
    }
  });
  bus.subscribe(EventType::order_created, [&](const Event&) { order_seen = true; });
  bus.start();
  bus.publish(candle_event(1));
  bus.publish(order_event(1));
  for (int i = 0; i < 10000 && !order_seen; ++i)
    std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(order_seen.load());
  release = true;
  ASSERT_TRUE(bus.wait_idle(10s));
}

// Two queues each wait on a suspended coroutine: the third keeps being dispatched, and each
// waiting queue resumes on its own, in FIFO order, when its coroutine finishes.
TEST(EventBus, TwoSuspendedQueuesLeaveTheThirdRunningAndEachResumesInOrder) {
  EventBus bus(quiet_bus_options());
  std::atomic<bool> release_data{false}, release_signal{false};
  std::atomic<int> candles_started{0}, signals_started{0}, candles_done{0}, signals_done{0};
  std::atomic<int> orders{0};
  std::vector<std::string> trace;  // loop thread; read after stop()
  auto waiter = [&](std::atomic<bool>& release, std::atomic<int>& started, std::atomic<int>& done,
                    std::string tag) {
    return [r = &release, st = &started, d = &done, out = &trace,
            tag](const Event& e) -> boost::asio::awaitable<void> {
      ++*st;
      boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
      while (!*r) {
        t.expires_after(1ms);
        co_await t.async_wait(boost::asio::use_awaitable);
      }
      out->push_back(tag + std::to_string(e.timestamp_ns));
      ++*d;
    };
  };
  bus.subscribe(EventType::candle_closed, waiter(release_data, candles_started, candles_done, "c"));
  bus.subscribe(EventType::signal_generated,
                waiter(release_signal, signals_started, signals_done, "s"));
  bus.subscribe(EventType::order_created, [&](const Event& e) {
    trace.push_back("o" + std::to_string(e.timestamp_ns));
    ++orders;
  });
  bus.start();
  for (int i = 0; i < 2; ++i) {
    bus.publish(candle_event(i));
    bus.publish(signal_event(i));
  }
  ASSERT_TRUE(eventually([&] { return candles_started == 1 && signals_started == 1; }));
  bus.publish(order_event(0));
  ASSERT_TRUE(eventually([&] { return orders == 1; }));
  EXPECT_EQ(candles_done, 0);
  EXPECT_EQ(signals_done, 0);

  release_signal = true;
  ASSERT_TRUE(eventually([&] { return signals_done == 2; }));
  EXPECT_EQ(candles_started, 1);  // the data queue still waits on its first candle
  EXPECT_EQ(candles_done, 0);

  release_data = true;
  ASSERT_TRUE(bus.wait_idle(20s));
  bus.stop();
  EXPECT_EQ(trace, (std::vector<std::string>{"o0", "s0", "s1", "c0", "c1"}));
  EXPECT_EQ(bus.stats().events_dispatched, 5u);
}

TEST(EventBus, CoroutinePublishToAFullQueueSuspendsInsteadOfDeadlocking) {
  EventBusOptions o = quiet_bus_options();
  o.signal.capacity = 4;
  EventBus bus(o);
  RecordingHandler signals;
  bus.subscribe(EventType::candle_closed, [&](const Event&) -> boost::asio::awaitable<void> {
    for (int i = 0; i < 50; ++i)
      co_await bus.async_publish(signal_event(i));
  });
  bus.subscribe(EventType::signal_generated, std::ref(signals));
  bus.start();
  bus.publish(candle_event(0));
  ASSERT_TRUE(bus.wait_idle(20s));
  bus.stop();
  ASSERT_EQ(signals.size(), 50u);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(signals.events()[i].timestamp_ns, i);
}

TEST(EventBus, UnsubscribeStopsFurtherCalls) {
  EventBus bus(quiet_bus_options());
  RecordingHandler rec;
  auto sub = bus.subscribe(EventType::candle_closed, std::ref(rec));
  bus.start();
  bus.publish(candle_event(1));
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_TRUE(sub.active());
  sub.unsubscribe();
  EXPECT_FALSE(sub.active());
  bus.publish(candle_event(2));
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_EQ(rec.size(), 1u);
  sub.unsubscribe();  // idempotent
}

TEST(EventBus, UnsubscribeDuringDispatchSkipsTheRemovedHandler) {
  EventBus bus(quiet_bus_options());
  RecordingHandler second;
  Subscription victim;
  int first_calls = 0;
  bus.subscribe(EventType::candle_closed, [&](const Event&) {
    ++first_calls;
    victim.unsubscribe();  // removes a later handler of the same event, mid-dispatch
  });
  victim = bus.subscribe(EventType::candle_closed, std::ref(second));
  bus.start();
  bus.publish(candle_event(1));
  bus.publish(candle_event(2));
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  EXPECT_EQ(first_calls, 2);
  EXPECT_EQ(second.size(), 0u);
}

TEST(EventBus, SelfUnsubscribeAndSubscribeFromAHandler) {
  EventBus bus(quiet_bus_options());
  Subscription self;
  int once_calls = 0;
  RecordingHandler late;
  bool added = false;
  self = bus.subscribe(EventType::candle_closed, [&](const Event&) {
    ++once_calls;
    self.unsubscribe();
    if (!added) {
      added = true;
      bus.subscribe(EventType::candle_closed, std::ref(late));  // starts with the next event
    }
  });
  bus.start();
  for (int i = 0; i < 3; ++i)
    bus.publish(candle_event(i));
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  EXPECT_EQ(once_calls, 1);
  EXPECT_EQ(late.size(), 2u);
}

TEST(EventBus, SubscribeFromAnotherThreadWhileRunning) {
  EventBus bus(quiet_bus_options());
  bus.start();
  RecordingHandler rec;
  std::thread t([&] { bus.subscribe(EventType::candle_closed, std::ref(rec)); });
  t.join();
  bus.publish(candle_event(1));
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_EQ(rec.size(), 1u);
}

TEST(EventBus, ManyPublisherThreadsLoseNothingAndKeepPerThreadOrder) {
  EventBusOptions o = quiet_bus_options();
  o.signal.overflow = Overflow::wait_forever;  // this test is about loss, not time-outs
  EventBus bus(o);
  constexpr int kThreads = 4, kPerThread = 20000;
  std::vector<std::int64_t> last_signal(kThreads, -1), last_order(kThreads, -1);
  std::uint64_t signals = 0, orders = 0, out_of_order = 0;
  bus.subscribe(EventType::signal_generated, [&](const Event& e) {
    const auto tid = e.timestamp_ns / kPerThread, i = e.timestamp_ns % kPerThread;
    out_of_order += i <= last_signal[tid];
    last_signal[tid] = i;
    ++signals;
  });
  bus.subscribe(EventType::order_created, [&](const Event& e) {
    const auto tid = e.timestamp_ns / kPerThread, i = e.timestamp_ns % kPerThread;
    out_of_order += i <= last_order[tid];
    last_order[tid] = i;
    ++orders;
  });
  bus.start();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        bus.publish(signal_event(t * kPerThread + i));
        bus.publish(order_event(t * kPerThread + i));
      }
    });
  for (auto& t : threads)
    t.join();
  ASSERT_TRUE(bus.wait_idle(30s));
  bus.stop();
  EXPECT_EQ(signals, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(orders, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(out_of_order, 0u);
  const auto st = bus.stats();
  EXPECT_EQ(st.queue(Lane::order).dropped, 0u);
  EXPECT_EQ(st.queue(Lane::signal).dropped, 0u);
}

TEST(EventBus, StressHundredsOfThousandsOfEventsBusySpin) {
  EventBusOptions o = quiet_bus_options();
  o.wait_strategy = WaitStrategy::busy_spin;
  o.data.overflow = Overflow::wait_forever;
  EventBus bus(o);
  std::uint64_t count = 0, sum = 0;
  bus.subscribe(EventType::candle_closed, [&](const Event& e) {
    ++count;
    sum += static_cast<std::uint64_t>(e.timestamp_ns);
  });
  bus.start();
  constexpr std::uint64_t n = 300000;
  for (std::uint64_t i = 0; i < n; ++i)
    bus.publish(candle_event(static_cast<std::int64_t>(i)));
  ASSERT_TRUE(bus.wait_idle(30s));
  bus.stop();
  EXPECT_EQ(count, n);
  EXPECT_EQ(sum, n * (n - 1) / 2);
}

TEST(EventBus, StatsCountWhatFlowed) {
  EventBusOptions o = quiet_bus_options();
  o.handler_timing_sample = 1;
  EventBus bus(o);
  bus.subscribe(
      EventType::candle_closed, [](const Event&) {}, "candles");
  bus.subscribe(
      EventType::order_created, [](const Event&) {}, "orders");
  bus.start();
  for (int i = 0; i < 10; ++i)
    bus.publish(candle_event(i));
  for (int i = 0; i < 3; ++i)
    bus.publish(order_event(i));
  ASSERT_TRUE(bus.wait_idle(10s));
  const auto st = bus.stats();
  EXPECT_EQ(st.queue(Lane::data).published, 10u);
  EXPECT_EQ(st.queue(Lane::data).dispatched, 10u);
  EXPECT_EQ(st.queue(Lane::data).depth, 0u);
  EXPECT_EQ(st.queue(Lane::data).capacity, 1000u);
  EXPECT_EQ(st.queue(Lane::order).published, 3u);
  EXPECT_EQ(st.queue(Lane::order).capacity, 50u);
  EXPECT_EQ(st.queue(Lane::signal).capacity, 100u);
  EXPECT_EQ(st.events_dispatched, 13u);
  EXPECT_EQ(st.handlers[0].calls, 10u);
  EXPECT_EQ(st.handlers[0].timed_calls, 10u);
  EXPECT_GE(st.handlers[0].latency_max_ns, st.handlers[0].latency_p50_ns);
  EXPECT_EQ(st.handlers[1].calls, 3u);
}

// Handlers run through a short path unless sampled for timing or retried: both paths must
// count the same calls and report the same errors.
TEST(EventBus, SampledAndUnsampledCallsCountAndFailAlike) {
  for (std::uint32_t every : {0u, 4u}) {
    EventBusOptions o = quiet_bus_options();
    o.handler_timing_sample = every;
    EventBus bus(o);
    RecordingHandler errors;
    bus.subscribe(
        EventType::candle_closed,
        [](const Event& e) {
          if (e.timestamp_ns == 4) throw 42;  // not a std::exception
          if (e.timestamp_ns == 6) throw std::runtime_error("six");
          if (e.timestamp_ns == 7) throw std::runtime_error("");  // says nothing
        },
        "picky");
    bus.subscribe(EventType::error, std::ref(errors), "errors");
    bus.start();
    for (int i = 0; i < 10; ++i)
      bus.publish(candle_event(i));
    ASSERT_TRUE(bus.wait_idle(10s));
    bus.stop();
    const auto st = bus.stats();
    EXPECT_EQ(st.handlers[0].calls, 10u) << "every " << every;
    EXPECT_EQ(st.handlers[0].errors, 3u) << "every " << every;
    // Calls 1, 5 and 9 are sampled when every 4th is; 5 throws, and a failed call records no
    // latency. None is timed when timing is off.
    EXPECT_EQ(st.handlers[0].timed_calls, every == 0 ? 0u : 2u) << "every " << every;
    ASSERT_EQ(errors.size(), 3u) << "every " << every;
    EXPECT_EQ(errors.events()[0].as<ErrorInfo>().message, "unknown exception");
    EXPECT_EQ(errors.events()[1].as<ErrorInfo>().message, "six");
    EXPECT_EQ(errors.events()[2].as<ErrorInfo>().message, "exception");
  }
}

TEST(EventBus, CoroutineHandlersCanUseTheLoopsIoContext) {
  EventBus bus(quiet_bus_options());
  std::atomic<int> fired{0};
  bus.subscribe(EventType::candle_closed, [&](const Event&) -> boost::asio::awaitable<void> {
    boost::asio::steady_timer t(bus.io_context());
    t.expires_after(2ms);
    co_await t.async_wait(boost::asio::use_awaitable);
    EXPECT_TRUE(bus.on_loop_thread());
    ++fired;
  });
  bus.start();
  bus.publish(candle_event(1));
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_EQ(fired.load(), 1);
  EXPECT_FALSE(bus.on_loop_thread());
}
