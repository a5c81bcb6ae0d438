// Publishing from a handler: the loop thread keeps its own event beside an empty ring (see
// src/bus/loop_stage.hpp). These check what that must not change: FIFO inside a queue, also
// against other threads' events, the queue's capacity as the loop sees it, the stats, and that
// an order event still waiting there when the bus stops is written out, never lost.
#include "tradebus/bus/event_bus.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/recording_handler.hpp"
#include "support/test_paths.hpp"

using namespace tradebus;
using namespace std::chrono_literals;
using test::candle_event;
using test::order_event;
using test::RecordingHandler;
using test::signal_event;

namespace {
void spin_until(const std::atomic<bool>& flag) {
  while (!flag.load(std::memory_order_acquire))
    std::this_thread::yield();
}

std::vector<std::int64_t> timestamps(const RecordingHandler& rec) {
  std::vector<std::int64_t> ts;
  for (const Event& e : rec.events())
    ts.push_back(e.timestamp_ns);
  return ts;
}
}  // namespace

TEST(EventBusLoopPublish, AChainOfHandlerPublishesKeepsEveryEventInOrder) {
  // Each signal's handler publishes the next: every event is built while the one before it is
  // being dispatched, alternately in the stage's two slots.
  EventBus bus(test::quiet_bus_options());
  constexpr std::int64_t kEvents = 20'000;
  std::vector<std::int64_t> seen;
  bool payload_ok = true;
  bus.subscribe(EventType::signal_generated, [&](const Event& e) {
    seen.push_back(e.timestamp_ns);
    payload_ok = payload_ok && e.as<Signal>().time_ns == e.timestamp_ns &&
                 e.as<Signal>().symbol.view() == "BTCUSDT";
    if (e.timestamp_ns + 1 < kEvents) bus.publish(signal_event(e.timestamp_ns + 1));
  });
  bus.start();
  bus.publish(signal_event(0));
  ASSERT_TRUE(bus.wait_idle(30s));
  bus.stop();
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(kEvents));
  for (std::int64_t i = 0; i < kEvents; ++i)
    ASSERT_EQ(seen[static_cast<std::size_t>(i)], i);
  EXPECT_TRUE(payload_ok);
  const auto q = bus.stats().queue(Lane::signal);
  EXPECT_EQ(q.published, static_cast<std::uint64_t>(kEvents));
  EXPECT_EQ(q.dispatched, static_cast<std::uint64_t>(kEvents));
  EXPECT_EQ(q.depth, 0u);
}

TEST(EventBusLoopPublish, AnotherThreadsEarlierEventIsDispatchedFirst) {
  // The other thread's signal is queued before the handler publishes its own to the same
  // queue: the handler's must come second, although the loop could have kept it aside.
  EventBus bus(test::quiet_bus_options());
  RecordingHandler signals;
  std::atomic<bool> candle_running{false}, other_published{false};
  bus.subscribe(EventType::candle_closed, [&](const Event&) {
    candle_running.store(true, std::memory_order_release);
    spin_until(other_published);
    bus.publish(signal_event(2));
  });
  bus.subscribe(EventType::signal_generated, std::ref(signals));
  bus.start();
  bus.publish(candle_event(0));
  std::thread other([&] {
    spin_until(candle_running);
    bus.publish(signal_event(1));
    other_published.store(true, std::memory_order_release);
  });
  other.join();
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  EXPECT_EQ(timestamps(signals), (std::vector<std::int64_t>{1, 2}));
}

TEST(EventBusLoopPublish, AnotherThreadsLaterEventIsDispatchedSecond) {
  // The handler's signal is kept beside the empty ring; one the other thread publishes after
  // it goes into the ring and must still come second.
  EventBus bus(test::quiet_bus_options());
  RecordingHandler signals;
  std::atomic<bool> loop_published{false}, other_published{false};
  bus.subscribe(EventType::candle_closed, [&](const Event&) {
    bus.publish(signal_event(1));
    loop_published.store(true, std::memory_order_release);
    spin_until(other_published);
    bus.publish(signal_event(3));  // after the other thread's, so behind it in the ring
  });
  bus.subscribe(EventType::signal_generated, std::ref(signals));
  bus.start();
  bus.publish(candle_event(0));
  std::thread other([&] {
    spin_until(loop_published);
    bus.publish(signal_event(2));
    other_published.store(true, std::memory_order_release);
  });
  other.join();
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  EXPECT_EQ(timestamps(signals), (std::vector<std::int64_t>{1, 2, 3}));
}

TEST(EventBusLoopPublish, TheLoopAndOtherThreadsOnOneQueueLoseNothingAndKeepEachOnesOrder) {
  // Three threads publish signals and orders while the loop publishes its own from handlers:
  // a signal per candle, an order per signal of its own. Small queues, so every path is taken:
  // the stage, the ring behind it, other threads waiting for room, the loop parking.
  EventBusOptions o = test::quiet_bus_options();
  o.data = {64, Overflow::wait_forever, 0ns};
  o.signal = {16, Overflow::wait_forever, 0ns};
  o.order = {8, Overflow::wait_forever, 0ns};
  EventBus bus(o);
  constexpr int kThreads = 3, kPerProducer = 20'000;
  constexpr int kLoop = kThreads;  // the loop's own events carry producer number 3
  std::vector<std::int64_t> last_signal(kThreads + 1, -1), last_order(kThreads + 1, -1);
  std::uint64_t signals = 0, orders = 0, out_of_order = 0;
  auto in_order = [&](std::vector<std::int64_t>& last, std::int64_t ts) {
    const auto producer = static_cast<std::size_t>(ts / kPerProducer);
    const auto i = ts % kPerProducer;
    out_of_order += i <= last[producer];
    last[producer] = i;
  };
  bus.subscribe(EventType::candle_closed, [&](const Event& e) {
    bus.publish(signal_event(kLoop * kPerProducer + e.timestamp_ns));
  });
  bus.subscribe(EventType::signal_generated, [&](const Event& e) {
    in_order(last_signal, e.timestamp_ns);
    ++signals;
    if (e.timestamp_ns / kPerProducer == kLoop) bus.publish(order_event(e.timestamp_ns));
  });
  bus.subscribe(EventType::order_created, [&](const Event& e) {
    in_order(last_order, e.timestamp_ns);
    ++orders;
  });
  bus.start();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerProducer; ++i) {
        bus.publish(signal_event(t * kPerProducer + i));
        bus.publish(order_event(t * kPerProducer + i));
      }
    });
  for (int i = 0; i < kPerProducer; ++i)
    bus.publish(candle_event(i));
  for (auto& t : threads)
    t.join();
  ASSERT_TRUE(bus.wait_idle(60s));
  bus.stop();
  constexpr auto kEach = static_cast<std::uint64_t>((kThreads + 1) * kPerProducer);
  EXPECT_EQ(signals, kEach);
  EXPECT_EQ(orders, kEach);
  EXPECT_EQ(out_of_order, 0u);
  const auto st = bus.stats();
  for (Lane l : {Lane::signal, Lane::order}) {
    EXPECT_EQ(st.queue(l).published, kEach) << to_string(l);
    EXPECT_EQ(st.queue(l).dispatched, kEach) << to_string(l);
    EXPECT_EQ(st.queue(l).dropped, 0u) << to_string(l);
    EXPECT_EQ(st.queue(l).depth, 0u) << to_string(l);
  }
}

TEST(EventBusLoopPublish, StatsCountTheEventTheLoopKeepsAside) {
  EventBus bus(test::quiet_bus_options());
  QueueStats during{};
  bus.subscribe(EventType::candle_closed, [&](const Event&) {
    bus.publish(signal_event(1));
    during = bus.stats().queue(Lane::signal);
  });
  RecordingHandler signals;
  bus.subscribe(EventType::signal_generated, std::ref(signals));
  bus.start();
  bus.publish(candle_event(0));
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  EXPECT_EQ(during.depth, 1u);
  EXPECT_EQ(during.published, 1u);
  EXPECT_EQ(during.dispatched, 0u);
  const auto after = bus.stats().queue(Lane::signal);
  EXPECT_EQ(after.depth, 0u);
  EXPECT_EQ(after.dispatched, 1u);
  EXPECT_EQ(signals.size(), 1u);
}

TEST(EventBusLoopPublish, TheLoopFillsAQueueToItsCapacityAndNoFurther) {
  // Order queue of 3: the loop's first order waits beside the ring, so the ring takes two
  // more and the rest are parked (never dropped), all in order.
  EventBusOptions o = test::quiet_bus_options();
  o.order = {3, Overflow::wait_forever, 0ns};
  EventBus bus(o);
  QueueStats during{};
  bus.subscribe(EventType::candle_closed, [&](const Event&) {
    for (int i = 0; i < 8; ++i)
      bus.publish(order_event(i));
    during = bus.stats().queue(Lane::order);
  });
  RecordingHandler orders;
  bus.subscribe(EventType::order_created, std::ref(orders));
  bus.start();
  bus.publish(candle_event(0));
  ASSERT_TRUE(bus.wait_idle(10s));
  bus.stop();
  EXPECT_EQ(during.parked, 5u);
  EXPECT_EQ(during.depth, 8u);  // 3 queued + 5 parked
  EXPECT_EQ(timestamps(orders), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(EventBusLoopPublish, AnOrderStillKeptAsideAtStopIsWrittenOut) {
  const auto dir = test::scratch_dir("loop_publish_stop");
  EventBusOptions o;
  o.pending_orders_file = dir + "/pending.jsonl";
  EventBus bus(o);
  std::atomic<bool> handled{false};
  bus.subscribe(EventType::candle_closed, [&](const Event&) {
    bus.publish(order_event(7));
    bus.stop();  // on the loop: it exits after this event, before the order is dispatched
    handled.store(true, std::memory_order_release);
  });
  RecordingHandler orders;
  bus.subscribe(EventType::order_created, std::ref(orders));
  bus.start();
  bus.publish(candle_event(0));
  spin_until(handled);
  bus.stop();  // waits for the loop to finish
  EXPECT_EQ(orders.size(), 0u);
  EXPECT_EQ(bus.stats().queue(Lane::order).discarded_at_shutdown, 1u);
  std::ifstream in(o.pending_orders_file);
  ASSERT_TRUE(in.good()) << "no pending-orders file";
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    lines.push_back(l);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"client_order_id\":\"o-7\""), std::string::npos) << lines[0];
}
