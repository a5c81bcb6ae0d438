// EventBus lifecycle: start, stop, shutdown draining with and without time-out, pending orders
// written out, publish after stop.
#include "tradebus/bus/event_bus.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "support/recording_handler.hpp"
#include "support/test_paths.hpp"

using namespace tradebus;
using namespace std::chrono_literals;
using test::candle_event;
using test::order_event;
using test::RecordingHandler;
using test::signal_event;

TEST(EventBusLifecycle, ShutdownDrainsEveryQueueInPriorityOrder) {
  EventBusOptions o = test::quiet_bus_options();
  EventBus bus(o);
  std::vector<EventType> seen;
  for (auto t : {EventType::candle_closed, EventType::signal_generated, EventType::order_created})
    bus.subscribe(t, [&](const Event& e) { seen.push_back(e.type); });
  for (int i = 0; i < 100; ++i)
    bus.publish(candle_event(i));
  for (int i = 0; i < 50; ++i)
    bus.publish(signal_event(i));
  for (int i = 0; i < 20; ++i)
    bus.publish(order_event(i));
  bus.start();
  EXPECT_TRUE(bus.shutdown(10s));
  ASSERT_EQ(seen.size(), 170u);
  EXPECT_EQ(seen.front(), EventType::order_created);
  EXPECT_EQ(seen.back(), EventType::candle_closed);
  EXPECT_FALSE(bus.running());
  EXPECT_EQ(bus.stats().queue(Lane::data).discarded_at_shutdown, 0u);
}

TEST(EventBusLifecycle, ShutdownTimeOutWritesPendingOrdersForReview) {
  const auto dir = test::scratch_dir("pending_orders");
  EventBusOptions o;
  o.pending_orders_file = dir + "/pending.jsonl";
  EventBus bus(o);
  std::atomic<int> handled{0};
  bus.subscribe(EventType::order_created, [&](const Event&) {
    std::this_thread::sleep_for(100ms);  // a slow exchange
    ++handled;
  });
  for (int i = 0; i < 10; ++i)
    bus.publish(order_event(i));
  bus.start();
  EXPECT_FALSE(bus.shutdown(150ms));  // cannot finish ten 100 ms orders in 150 ms
  const int done = handled.load();
  EXPECT_LT(done, 10);
  std::ifstream in(o.pending_orders_file);
  ASSERT_TRUE(in.good()) << "no pending-orders file";
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    lines.push_back(l);
  ASSERT_EQ(static_cast<int>(lines.size()), 10 - done);  // every unprocessed order, none lost
  EXPECT_NE(lines.back().find("\"client_order_id\":\"o-9\""), std::string::npos) << lines.back();
  EXPECT_EQ(bus.stats().queue(Lane::order).discarded_at_shutdown,
            static_cast<std::uint64_t>(10 - done));
}

TEST(EventBusLifecycle, StopWithoutStartReportsQueuedOrders) {
  const auto dir = test::scratch_dir("stop_unstarted");
  EventBusOptions o;
  o.pending_orders_file = dir + "/pending.jsonl";
  {
    EventBus bus(o);
    bus.publish(order_event(1));
    bus.publish(candle_event(1));
    bus.stop();
    EXPECT_EQ(bus.stats().queue(Lane::order).discarded_at_shutdown, 1u);
    EXPECT_EQ(bus.stats().queue(Lane::data).discarded_at_shutdown, 1u);
  }
  EXPECT_TRUE(std::filesystem::exists(o.pending_orders_file));
}

TEST(EventBusLifecycle, PublishAfterStopIsRefused) {
  EventBusOptions o = test::quiet_bus_options();
  EventBus bus(o);
  bus.start();
  bus.stop();
  EXPECT_THROW(bus.publish(candle_event(1)), BusStateError);
  Event e = order_event(1);
  EXPECT_THROW((void)bus.try_publish(e), BusStateError);
  EXPECT_THROW(bus.start(), BusStateError);
}

TEST(EventBusLifecycle, BlockedPublisherLearnsTheBusStopped) {
  EventBusOptions o = test::quiet_bus_options();
  o.order.capacity = 1;
  EventBus bus(o);
  bus.publish(order_event(0));
  auto blocked = std::async(std::launch::async, [&] { bus.publish(order_event(1)); });
  EXPECT_EQ(blocked.wait_for(100ms), std::future_status::timeout);
  bus.stop();
  EXPECT_THROW(blocked.get(), BusStateError);  // never a silent loss, never a hang
}

TEST(EventBusLifecycle, RunOnTheCallingThreadUntilShutdownFromAnother) {
  EventBusOptions o = test::quiet_bus_options();
  EventBus bus(o);
  RecordingHandler rec;
  bus.subscribe(EventType::candle_closed, std::ref(rec));
  std::thread stopper([&] {
    for (int i = 0; i < 5; ++i)
      bus.publish(candle_event(i));
    while (!bus.running())
      std::this_thread::sleep_for(1ms);
    EXPECT_TRUE(bus.shutdown(10s));
  });
  bus.run();
  stopper.join();
  EXPECT_EQ(rec.size(), 5u);
}

TEST(EventBusLifecycle, ShutdownFromAHandlerDoesNotDeadlock) {
  EventBusOptions o = test::quiet_bus_options();
  EventBus bus(o);
  bus.subscribe(EventType::candle_closed, [&](const Event&) { bus.stop(); });
  bus.start();
  bus.publish(candle_event(1));
  for (int i = 0; i < 5000 && bus.running(); ++i)
    std::this_thread::sleep_for(1ms);
  EXPECT_FALSE(bus.running());
}

TEST(EventBusLifecycle, BlockingLoopSleepsWhenIdleAndWakesForNewEvents) {
  EventBusOptions o = test::quiet_bus_options();
  o.wait_strategy = WaitStrategy::blocking;
  EventBus bus(o);
  RecordingHandler rec;
  bus.subscribe(EventType::candle_closed, std::ref(rec));
  bus.start();
  for (int round = 0; round < 20; ++round) {
    std::this_thread::sleep_for(2ms);  // let the loop fall asleep
    bus.publish(candle_event(round));
  }
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_EQ(rec.size(), 20u);
}

// wait_idle must not take the loop's empty pass from *before* a publish as "idle": the event's
// handler may still be running (the ring already reads empty), with more events to come.
TEST(EventBusLifecycle, WaitIdleWaitsForTheHandlerOfTheLastPublishAndWhatItPublishes) {
  for (auto strategy : {WaitStrategy::busy_spin, WaitStrategy::blocking}) {
    EventBusOptions o = test::quiet_bus_options();
    o.wait_strategy = strategy;
    EventBus bus(o);
    std::atomic<int> followers{0};
    bus.subscribe(EventType::candle_closed, [&](const Event& e) {
      if (e.timestamp_ns % 2 == 1) {
        followers.fetch_add(1);
        return;
      }
      std::this_thread::sleep_for(1ms);  // a slow handler widens the window
      bus.publish(candle_event(e.timestamp_ns + 1));
    });
    bus.start();
    for (int round = 0; round < 30; ++round) {
      bus.publish(candle_event(2 * round));
      ASSERT_TRUE(bus.wait_idle(10s));
      ASSERT_EQ(followers.load(), round + 1)
          << "round " << round << (strategy == WaitStrategy::blocking ? " (blocking)" : " (spin)");
    }
    bus.stop();
  }
}

// Holds the loop inside the first candle's handler until the test lets it go, so that a burst
// is queued behind it and dispatched without the loop running out of events in between.
class HeldLoop {
 public:
  explicit HeldLoop(EventBus& bus) {
    bus.subscribe(EventType::candle_closed, [this](const Event&) {
      if (handled_++ == 0) {
        entered_.set_value();
        released_.get_future().wait();
      }
    });
  }
  void wait_entered() { entered_future_.wait(); }
  void release() { released_.set_value(); }
  int handled() const { return handled_; }  // loop thread, or after wait_idle()

 private:
  std::promise<void> entered_, released_;
  std::future<void> entered_future_ = entered_.get_future();
  int handled_ = 0;
};

TEST(EventBusIdleHook, RunsOnceAfterABurstOnTheLoopThread) {
  EventBus bus(test::quiet_bus_options());
  HeldLoop held(bus);
  int calls = 0;
  int handled_at_call = -1;
  bool on_loop = false;
  bus.add_idle_hook([&] {
    ++calls;
    handled_at_call = held.handled();
    on_loop = bus.on_loop_thread();
  });
  bus.start();
  bus.publish(candle_event(0));
  held.wait_entered();
  for (int i = 1; i < 100; ++i)
    bus.publish(candle_event(i));
  held.release();
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_EQ(calls, 1) << "once per burst, not once per event";
  EXPECT_EQ(handled_at_call, 100);
  EXPECT_TRUE(on_loop);

  bus.publish(candle_event(100));
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(handled_at_call, 101);
  bus.stop();
}

TEST(EventBusIdleHook, AThrowingHookIsLoggedAndTheLoopGoesOn) {
  EventBus bus(test::quiet_bus_options());
  RecordingHandler rec;
  bus.subscribe(EventType::candle_closed, std::ref(rec));
  bus.add_idle_hook([] { throw std::runtime_error("hook bug"); }, "bad");
  int calls = 0;
  bus.add_idle_hook([&] { ++calls; }, "good");
  bus.start();
  bus.publish(candle_event(0));
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_EQ(calls, 1) << "the hook after a throwing one still runs";
  bus.publish(candle_event(1));
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(rec.size(), 2u);
  EXPECT_TRUE(bus.running());
  bus.stop();
}

TEST(EventBusIdleHook, AHookMayPublishAndRunsAgainAfterItsEvents) {
  EventBus bus(test::quiet_bus_options());
  std::vector<std::string> seen;
  bus.subscribe(EventType::candle_closed, [&](const Event&) { seen.push_back("candle"); });
  bus.subscribe(EventType::signal_generated, [&](const Event&) { seen.push_back("signal"); });
  int calls = 0;
  bus.add_idle_hook([&] {
    seen.push_back("hook");
    if (++calls == 1) bus.publish(signal_event(0));
  });
  bus.start();
  bus.publish(candle_event(0));
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_EQ(seen, (std::vector<std::string>{"candle", "hook", "signal", "hook"}));
  bus.stop();
}

TEST(EventBusIdleHook, ShutdownRunsTheHooksAfterTheLastEvent) {
  EventBus bus(test::quiet_bus_options());
  int handled = 0;
  bus.subscribe(EventType::candle_closed, [&](const Event&) { ++handled; });
  std::vector<int> handled_at_calls;
  bus.add_idle_hook([&] { handled_at_calls.push_back(handled); });
  for (int i = 0; i < 100; ++i)
    bus.publish(candle_event(i));
  bus.start();
  EXPECT_TRUE(bus.shutdown(10s));
  EXPECT_EQ(handled_at_calls, std::vector<int>{100});
}
