// Dead letters: a handler that keeps failing leaves its event in the state store with the
// handler's name and error; a letter marked for retry goes back to that handler only.
#include "tradebus/persistence/dead_letter_store.hpp"

#include <atomic>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include <gtest/gtest.h>

#include "support/state_dir.hpp"
#include "support/test_paths.hpp"
#include "tradebus/bus/event_bus.hpp"

using namespace tradebus;
using namespace tradebus::literals;

namespace {

using test::open_state;

EventBusOptions bus_options(int attempts) {
  EventBusOptions o;
  o.handler_attempts = attempts;
  o.handler_retry_backoff = std::chrono::milliseconds(1);
  o.pending_orders_file.clear();
  return o;
}

Event fill_event() {
  Fill f{"t-1", "BTCUSDT", "s", Side::buy, "100"_d, "1"_d, "0.1"_d, "USDT", 5, 7, true};
  return Event(EventType::order_filled, f, 5, "paper");
}

TEST(DeadLetters, AFailingHandlerLeavesItsEventAfterItsAttempts) {
  const auto dir = test::scratch_dir("dlq_store");
  auto store = open_state(dir);
  DeadLetterStore letters(store);
  EventBus bus(bus_options(3));
  bus.set_observer(&letters);
  std::atomic<int> calls{0};
  std::atomic<int> critical{0};
  bus.subscribe_sync(
      EventType::order_filled,
      [&](const Event&) {
        ++calls;
        throw std::runtime_error("ledger unavailable");
      },
      "books.on_fill");
  auto ok = std::make_shared<std::atomic<int>>(0);
  bus.subscribe_sync(
      EventType::order_filled, [ok](const Event&) { ++*ok; }, "other.on_fill");
  bus.subscribe_sync(EventType::error, [&](const Event& e) {
    if (e.as<ErrorInfo>().severity == Severity::critical) ++critical;
  });
  bus.start();
  bus.publish(fill_event());
  ASSERT_TRUE(bus.wait_idle(std::chrono::seconds(10)));
  bus.shutdown(std::chrono::seconds(5));
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(ok->load(), 1);  // the other handler ran once, undisturbed
  EXPECT_EQ(critical.load(), 1) << "an order event's dead letter is a critical error";

  const auto list = letters.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].handler, "books.on_fill");
  EXPECT_EQ(list[0].error, "ledger unavailable");
  EXPECT_EQ(list[0].attempts, 3);
  EXPECT_EQ(list[0].state, "new");
  EXPECT_EQ(list[0].event.as<Fill>(), fill_event().as<Fill>());
}

TEST(DeadLetters, ACoroutineHandlerIsRetriedWithBackOffThenDeadLettered) {
  const auto dir = test::scratch_dir("dlq_coro");
  auto store = open_state(dir);
  DeadLetterStore letters(store);
  EventBusOptions o = bus_options(4);
  o.handler_retry_backoff = std::chrono::milliseconds(5);
  EventBus bus(o);
  bus.set_observer(&letters);
  std::vector<std::chrono::steady_clock::time_point> calls;  // loop thread only
  std::atomic<int> later{0};
  bus.subscribe(
      EventType::candle_closed,
      [&](const Event& e) -> boost::asio::awaitable<void> {
        if (e.timestamp_ns != 1) {
          ++later;
          co_return;
        }
        calls.push_back(std::chrono::steady_clock::now());
        throw std::runtime_error("feed down");
      },
      "coro.on_candle");
  bus.start();
  bus.publish(Event(EventType::candle_closed, Candle{}, 1, "t"));
  bus.publish(Event(EventType::candle_closed, Candle{}, 2, "t"));
  ASSERT_TRUE(bus.wait_idle(std::chrono::seconds(10)));
  bus.shutdown(std::chrono::seconds(5));
  ASSERT_EQ(calls.size(), 4u);
  // Back-off doubles from 5 ms: 5, 10, 20 ms between the calls (at least).
  EXPECT_GE(calls[1] - calls[0], std::chrono::milliseconds(5));
  EXPECT_GE(calls[2] - calls[1], std::chrono::milliseconds(10));
  EXPECT_GE(calls[3] - calls[2], std::chrono::milliseconds(20));
  EXPECT_EQ(later.load(), 1) << "the next event was handled after the dead letter";
  const auto list = letters.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].handler, "coro.on_candle");
  EXPECT_EQ(list[0].attempts, 4);
  EXPECT_EQ(list[0].error, "feed down");
}

TEST(DeadLetters, RetryGoesToThatHandlerOnlyAndDropRemoves) {
  const auto dir = test::scratch_dir("dlq_retry");
  {
    auto store = open_state(dir);
    DeadLetterStore letters(store);
    letters.on_dead_letter(fill_event(), "books.on_fill", "ledger unavailable", 3);
    letters.on_dead_letter(fill_event(), "books.on_fill", "again", 3);
    letters.on_dead_letter(fill_event(), "gone.handler", "x", 1);
    store->wait_durable();
    ASSERT_EQ(letters.list().size(), 3u);
    EXPECT_TRUE(letters.mark_for_retry(1));
    EXPECT_TRUE(letters.mark_for_retry(3));
    EXPECT_TRUE(letters.drop(2));
    EXPECT_FALSE(letters.drop(2));
    EXPECT_FALSE(letters.mark_for_retry(99));
  }
  auto store = open_state(dir);
  DeadLetterStore letters(store);
  EventBus bus(bus_options(1));
  std::atomic<int> books{0}, others{0};
  bus.subscribe_sync(
      EventType::order_filled, [&](const Event&) { ++books; }, "books.on_fill");
  bus.subscribe_sync(
      EventType::order_filled, [&](const Event&) { ++others; }, "other.on_fill");
  bus.start();
  const auto r = letters.retry_marked(bus, std::chrono::seconds(10));
  bus.shutdown(std::chrono::seconds(5));
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_EQ(r.failed, 1u);  // no handler named gone.handler
  EXPECT_EQ(books.load(), 1);
  EXPECT_EQ(others.load(), 0);
  const auto left = letters.list();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].handler, "gone.handler");
  EXPECT_EQ(left[0].state, "new");
  EXPECT_NE(left[0].error.find("no handler named 'gone.handler'"), std::string::npos);
}

}  // namespace
