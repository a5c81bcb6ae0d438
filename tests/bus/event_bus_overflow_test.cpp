// EventBus overflow policies: data drops, signal fails after its wait, order never drops, and
// the loop thread never waits on itself.
#include "tradebus/bus/event_bus.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "support/recording_handler.hpp"

using namespace tradebus;
using namespace std::chrono_literals;
using test::candle_event;
using test::order_event;
using test::RecordingHandler;
using test::signal_event;

namespace {
EventBusOptions small_queues() {
  EventBusOptions o = test::quiet_bus_options();
  o.data = {10, Overflow::drop_newest, 20ms};
  o.signal = {5, Overflow::fail, 50ms};
  o.order = {3, Overflow::wait_forever, 0ns};
  return o;
}
}  // namespace

TEST(EventBusOverflow, DataQueueDropsNewestAfterItsWait) {
  EventBus bus(small_queues());  // not started: nothing drains
  for (int i = 0; i < 15; ++i)
    bus.publish(candle_event(i));
  const auto st = bus.stats();
  EXPECT_EQ(st.queue(Lane::data).depth, 10u);
  EXPECT_EQ(st.queue(Lane::data).dropped, 5u);
  EXPECT_EQ(st.queue(Lane::data).block_timeouts, 5u);
  RecordingHandler rec;
  bus.subscribe(EventType::candle_closed, std::ref(rec));
  bus.start();
  ASSERT_TRUE(bus.wait_idle(10s));
  ASSERT_EQ(rec.size(), 10u);
  EXPECT_EQ(rec.events().front().timestamp_ns, 0);  // the oldest were kept
  EXPECT_EQ(rec.events().back().timestamp_ns, 9);
}

TEST(EventBusOverflow, DataQueueCanDropOldestInstead) {
  EventBusOptions o = small_queues();
  o.data = {10, Overflow::drop_oldest, 0ns};
  EventBus bus(o);
  for (int i = 0; i < 15; ++i)
    bus.publish(candle_event(i));
  EXPECT_EQ(bus.stats().queue(Lane::data).dropped, 5u);
  RecordingHandler rec;
  bus.subscribe(EventType::candle_closed, std::ref(rec));
  bus.start();
  ASSERT_TRUE(bus.wait_idle(10s));
  ASSERT_EQ(rec.size(), 10u);
  EXPECT_EQ(rec.events().front().timestamp_ns, 5);  // latest data is most valuable
  EXPECT_EQ(rec.events().back().timestamp_ns, 14);
}

TEST(EventBusOverflow, SignalQueueFailsWithQueueFullErrorAfterItsWait) {
  EventBus bus(small_queues());
  for (int i = 0; i < 5; ++i)
    bus.publish(signal_event(i));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(bus.publish(signal_event(5)), QueueFullError);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 50ms);  // it waited first (BLOCK then error)
  EXPECT_EQ(bus.stats().queue(Lane::signal).block_timeouts, 1u);
  EXPECT_EQ(bus.stats().queue(Lane::signal).dropped, 0u);
}

TEST(EventBusOverflow, SignalPublishSucceedsWhenRoomAppearsWithinTheWait) {
  EventBusOptions o = small_queues();
  o.signal.wait = 10s;
  EventBus bus(o);
  RecordingHandler rec;
  bus.subscribe(EventType::signal_generated, std::ref(rec));
  for (int i = 0; i < 5; ++i)
    bus.publish(signal_event(i));
  auto blocked = std::async(std::launch::async, [&] { bus.publish(signal_event(5)); });
  EXPECT_EQ(blocked.wait_for(100ms), std::future_status::timeout);  // still blocked
  bus.start();
  blocked.get();  // returns once the loop made room; no exception
  ASSERT_TRUE(bus.wait_idle(10s));
  EXPECT_EQ(rec.size(), 6u);
}

TEST(EventBusOverflow, OrderQueueBlocksAndNeverDrops) {
  EventBus bus(small_queues());
  RecordingHandler rec;
  bus.subscribe(EventType::order_created, std::ref(rec));
  for (int i = 0; i < 3; ++i)
    bus.publish(order_event(i));
  auto blocked = std::async(std::launch::async, [&] {
    for (int i = 3; i < 20; ++i) {
      const Event e = order_event(i);
      if (i % 2 == 0)
        bus.publish(e);  // copied into its slot
      else
        bus.publish(EventType::order_created, e.as<Order>(), i, "test");  // built in its slot
    }
  });
  EXPECT_EQ(blocked.wait_for(200ms), std::future_status::timeout);  // waits, does not drop
  EXPECT_EQ(bus.stats().queue(Lane::order).dropped, 0u);
  bus.start();
  blocked.get();
  ASSERT_TRUE(bus.wait_idle(10s));
  ASSERT_EQ(rec.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(rec.events()[i].timestamp_ns, i);
    EXPECT_EQ(rec.events()[i].as<Order>().client_order_id.view(), "o-" + std::to_string(i));
  }
}

// A publisher facing a full queue waits for room for a batch while it spins, but it must not
// hold out for one: when the loop frees a single place and then stays busy, the publisher
// takes that place.
TEST(EventBusOverflow, WaitingPublisherTakesASinglePlaceWhenNoMoreIsFreed) {
  EventBusOptions o = small_queues();
  o.order = {64, Overflow::wait_forever, 0ns};  // a batch would be 8 places
  EventBus bus(o);
  std::promise<void> published;
  auto published_future = published.get_future();
  std::atomic<bool> got_in_while_busy{false};
  std::atomic<int> calls{0};
  bus.subscribe(EventType::order_created, [&](const Event&) {
    // The first order's place is free from here on; the loop stays in this handler until the
    // waiting publisher is in (or 10 s pass), so no second place frees meanwhile.
    if (calls.fetch_add(1) == 0)
      got_in_while_busy = published_future.wait_for(10s) == std::future_status::ready;
  });
  for (int i = 0; i < 64; ++i)
    bus.publish(order_event(i));
  auto publisher = std::async(std::launch::async, [&] {
    bus.publish(order_event(64));
    published.set_value();
  });
  EXPECT_EQ(publisher.wait_for(50ms), std::future_status::timeout);  // full: it waits
  bus.start();
  publisher.get();
  ASSERT_TRUE(bus.wait_idle(20s));
  bus.stop();
  EXPECT_TRUE(got_in_while_busy);
  EXPECT_EQ(calls.load(), 65);
  EXPECT_EQ(bus.stats().queue(Lane::order).dropped, 0u);
}

TEST(EventBusOverflow, TryPublishNeverWaitsAndLeavesTheEventIntact) {
  EventBus bus(small_queues());
  for (int i = 0; i < 3; ++i)
    bus.publish(order_event(i));
  Event e = order_event(99);
  EXPECT_FALSE(bus.try_publish(e));
  EXPECT_EQ(e.as<Order>().client_order_id.view(), "o-99");
  EXPECT_FALSE(bus.publish_for(e, Lane::order, 20ms));
  EXPECT_EQ(e.as<Order>().client_order_id.view(), "o-99");
}

TEST(EventBusOverflow, LoopThreadParksOrdersInsteadOfDeadlocking) {
  EventBus bus(small_queues());
  RecordingHandler orders;
  // One candle makes ten orders: more than the order queue holds, published from the loop,
  // alternately as an Event and from its parts (built in the slot, or parked when full).
  bus.subscribe(EventType::candle_closed, [&](const Event&) {
    for (int i = 0; i < 10; ++i) {
      if (i % 2 == 0) {
        bus.publish(order_event(i));
      } else {
        const Event e = order_event(i);
        bus.publish(EventType::order_created, e.as<Order>(), i, "test");
      }
    }
  });
  bus.subscribe(EventType::order_created, std::ref(orders));
  bus.start();
  bus.publish(candle_event(0));
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  ASSERT_EQ(orders.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(orders.events()[i].timestamp_ns, i);  // order kept
    EXPECT_EQ(orders.events()[i].as<Order>().client_order_id.view(), "o-" + std::to_string(i));
  }
  EXPECT_EQ(bus.stats().queue(Lane::order).parked, 7u);
  EXPECT_EQ(bus.stats().queue(Lane::order).dropped, 0u);
}

TEST(EventBusOverflow, LoopThreadPublishToFullSignalQueueIsAClearError) {
  EventBus bus(small_queues());
  std::string error;
  bus.subscribe(EventType::candle_closed, [&](const Event&) {
    try {
      for (int i = 0; i < 10; ++i)
        bus.publish(EventType::signal_generated, signal_event(i).as<Signal>(), i, "test");
    } catch (const QueueFullError& e) {
      error = e.what();
    }
  });
  bus.start();
  bus.publish(candle_event(0));
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  EXPECT_NE(error.find("loop thread"), std::string::npos) << error;
  EXPECT_NE(error.find("async_publish"), std::string::npos) << error;
}

TEST(EventBusOverflow, LoopThreadPublishToFullDataQueueDropsAtOnce) {
  EventBus bus(small_queues());
  int candles = 0;
  bus.subscribe(EventType::candle_closed, [&](const Event& e) {
    ++candles;
    if (e.timestamp_ns == 0)
      for (int i = 1; i <= 20; ++i)
        bus.publish(candle_event(i));
  });
  bus.start();
  bus.publish(candle_event(0));
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  EXPECT_EQ(candles, 11);
  EXPECT_EQ(bus.stats().queue(Lane::data).dropped, 10u);
}
