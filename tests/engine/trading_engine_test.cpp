// TradingEngine: the seed's pipeline end to end, error severities, shutdown.
#include "tradebus/engine/trading_engine.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "support/recording_handler.hpp"
#include "support/test_paths.hpp"

using namespace tradebus;
using namespace std::chrono_literals;

namespace {

class CountingCollector final : public DataCollector {
 public:
  explicit CountingCollector(int n, bool endless = false) : n_(n), endless_(endless) {}
  std::string_view name() const override { return "counting"; }
  void start(EventBus& bus, std::function<void(std::string)> finished) override {
    thread_ = std::thread([this, &bus, f = std::move(finished)] {
      for (int i = 0; (endless_ || i < n_) && !stop_; ++i) {
        bus.publish(test::candle_event(i));
        if (endless_) std::this_thread::sleep_for(1ms);
      }
      f("");
    });
  }
  void stop() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  ~CountingCollector() override { stop(); }

 private:
  int n_;
  bool endless_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Buys on even candles, sells on odd ones; throws on the candle `throw_on`.
class AlternatingStrategy final : public Strategy {
 public:
  explicit AlternatingStrategy(std::int64_t throw_on = -1) : throw_on_(throw_on) {}
  std::string_view id() const override { return "alt"; }
  void on_candle(const Candle& c, SignalSink& out) override {
    if (c.open_time_ns == throw_on_) throw std::runtime_error("strategy bug");
    Signal s;
    s.strategy_id = "alt";
    s.symbol = c.symbol;
    s.direction = c.open_time_ns % 2 == 0 ? Side::buy : Side::sell;
    s.reference_price = c.close;
    s.time_ns = c.open_time_ns;
    out.emit(s);
  }

 private:
  std::int64_t throw_on_;
};

class SimpleOrderManager final : public OrderManager {
 public:
  bool throw_on_create = false;
  std::optional<Order> create_order(const Signal& s, std::uint64_t seq) override {
    if (throw_on_create) throw std::runtime_error("order manager bug");
    Order o;
    o.client_order_id = ClientOrderId("t-" + std::to_string(next_++));
    o.symbol = s.symbol;
    o.side = s.direction;
    o.quantity = Decimal::from_int(1);
    o.reference_price = s.reference_price;
    o.signal_sequence = seq;
    return o;
  }
  void on_fill(const Fill& f) override { fills.push_back(f); }
  void on_order_closed(const Order& o) override { closed.push_back(o); }
  std::vector<Fill> fills;
  std::vector<Order> closed;

 private:
  int next_ = 1;
};

class ImmediateExchange final : public Exchange {
 public:
  bool throw_on_submit = false;
  std::string_view name() const override { return "immediate"; }
  void attach(ExecutionReports& r) override { reports_ = &r; }
  void submit(const Order& o) override {
    if (throw_on_submit) throw std::runtime_error("exchange down");
    Fill f;
    f.client_order_id = o.client_order_id;
    f.symbol = o.symbol;
    f.side = o.side;
    f.quantity = o.quantity;
    f.price = o.reference_price;
    f.order_complete = true;
    reports_->on_fill(f);
  }
  void cancel(const ClientOrderId&) override {}
  std::vector<Order> open_orders() const override { return {}; }

 private:
  ExecutionReports* reports_ = nullptr;
};

EngineOptions test_options(const std::string& dir = {}) {
  EngineOptions o;
  o.bus.pending_orders_file.clear();
  o.bus.data.overflow = Overflow::wait_forever;
  o.failed_orders_file = dir.empty() ? std::string() : dir + "/failed.jsonl";
  o.handle_signals = false;
  return o;
}

}  // namespace

TEST(TradingEngine, RunsCandleToSignalToOrderToFill) {
  TradingEngine engine(test_options());
  auto manager = std::make_shared<SimpleOrderManager>();
  engine.set_data_collector(std::make_shared<CountingCollector>(100));
  engine.set_strategy(std::make_shared<AlternatingStrategy>());
  engine.set_order_manager(manager);
  engine.set_exchange(std::make_shared<ImmediateExchange>());
  test::RecordingHandler filled;
  engine.bus().subscribe(EventType::order_filled, std::ref(filled));
  EXPECT_EQ(engine.run(), "");
  const auto c = engine.counters();
  EXPECT_EQ(c.candles, 100u);
  EXPECT_EQ(c.signals, 100u);
  EXPECT_EQ(c.orders, 100u);
  EXPECT_EQ(c.fills, 100u);
  ASSERT_EQ(manager->fills.size(), 100u);
  EXPECT_EQ(manager->fills[0].side, Side::buy);
  EXPECT_EQ(manager->fills[1].side, Side::sell);
  EXPECT_EQ(filled.size(), 100u);
  EXPECT_FALSE(engine.bus().running());  // run() shut the bus down
}

TEST(TradingEngine, FansOutToSeveralStrategies) {
  TradingEngine engine(test_options());
  auto manager = std::make_shared<SimpleOrderManager>();
  engine.set_data_collector(std::make_shared<CountingCollector>(10));
  engine.add_strategy(std::make_shared<AlternatingStrategy>());
  EXPECT_THROW(engine.add_strategy(std::make_shared<AlternatingStrategy>()), std::invalid_argument);
  engine.set_order_manager(manager);
  engine.set_exchange(std::make_shared<ImmediateExchange>());
  engine.run();
  EXPECT_EQ(engine.counters().signals, 10u);
}

TEST(TradingEngine, StrategyErrorIsIsolatedAndNotCritical) {
  TradingEngine engine(test_options());
  int alerts = 0;
  engine.set_critical_alert([&](const ErrorInfo&) { ++alerts; });
  auto manager = std::make_shared<SimpleOrderManager>();
  engine.set_data_collector(std::make_shared<CountingCollector>(10));
  engine.set_strategy(std::make_shared<AlternatingStrategy>(3));
  engine.set_order_manager(manager);
  engine.set_exchange(std::make_shared<ImmediateExchange>());
  test::RecordingHandler errors;
  engine.bus().subscribe(EventType::error, std::ref(errors));
  engine.run();
  EXPECT_EQ(engine.counters().signals, 9u);  // every candle but the failing one
  EXPECT_EQ(manager->fills.size(), 9u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.events()[0].as<ErrorInfo>().component.view(), "strategy");
  EXPECT_EQ(errors.events()[0].as<ErrorInfo>().message, "strategy bug");
  EXPECT_EQ(alerts, 0);
}

TEST(TradingEngine, OrderManagerErrorIsCriticalAndTheAttemptIsPersisted) {
  const auto dir = test::scratch_dir("engine_failed_orders");
  TradingEngine engine(test_options(dir));
  std::vector<ErrorInfo> alerts;
  engine.set_critical_alert([&](const ErrorInfo& e) { alerts.push_back(e); });
  auto manager = std::make_shared<SimpleOrderManager>();
  manager->throw_on_create = true;
  engine.set_data_collector(std::make_shared<CountingCollector>(3));
  engine.set_strategy(std::make_shared<AlternatingStrategy>());
  engine.set_order_manager(manager);
  engine.set_exchange(std::make_shared<ImmediateExchange>());
  engine.run();
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].component.view(), "order_manager");
  EXPECT_EQ(alerts[0].severity, Severity::critical);
  std::ifstream in(dir + "/failed.jsonl");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    lines.push_back(l);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("order manager bug"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"symbol\":\"BTCUSDT\""), std::string::npos) << lines[0];
}

TEST(TradingEngine, ExchangeFailureRejectsTheOrder) {
  TradingEngine engine(test_options());
  int alerts = 0;
  engine.set_critical_alert([&](const ErrorInfo&) { ++alerts; });
  auto manager = std::make_shared<SimpleOrderManager>();
  auto exchange = std::make_shared<ImmediateExchange>();
  exchange->throw_on_submit = true;
  engine.set_data_collector(std::make_shared<CountingCollector>(4));
  engine.set_strategy(std::make_shared<AlternatingStrategy>());
  engine.set_order_manager(manager);
  engine.set_exchange(exchange);
  engine.run();
  EXPECT_EQ(engine.counters().rejected, 4u);
  ASSERT_EQ(manager->closed.size(), 4u);
  EXPECT_EQ(manager->closed[0].status, OrderStatus::rejected);
  EXPECT_EQ(manager->closed[0].reason.view(), "exchange down");
  EXPECT_EQ(alerts, 4);
}

TEST(TradingEngine, RequestStopEndsAnEndlessRun) {
  TradingEngine engine(test_options());
  engine.set_data_collector(std::make_shared<CountingCollector>(0, true));
  engine.set_strategy(std::make_shared<AlternatingStrategy>());
  engine.set_order_manager(std::make_shared<SimpleOrderManager>());
  engine.set_exchange(std::make_shared<ImmediateExchange>());
  std::thread stopper([&] {
    while (engine.counters().candles < 5)
      std::this_thread::sleep_for(1ms);
    engine.request_stop();
  });
  EXPECT_EQ(engine.run(), "");
  stopper.join();
  EXPECT_TRUE(engine.stop_requested());
  EXPECT_GE(engine.counters().candles, 5u);
  EXPECT_EQ(engine.counters().candles, engine.counters().fills);  // drained before returning
}
