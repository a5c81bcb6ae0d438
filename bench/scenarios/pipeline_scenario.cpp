#include <chrono>
#include <memory>

#include "scenarios.hpp"
#include "tradebus/engine/trading_engine.hpp"
#include "tradebus/marketdata/candle_replay.hpp"

namespace tradebus::bench {
namespace {

class RepeatedCandles final : public CandleReplay {
 public:
  explicit RepeatedCandles(std::uint64_t n) : n_(n) {
    c_.symbol = "BTCUSDT";
    c_.interval = "1m";
    c_.open = c_.high = c_.low = c_.close = Decimal::from_int(30000);
  }
  std::string_view name() const override { return "bench"; }
  double progress() const override { return static_cast<double>(i_) / static_cast<double>(n_); }

 protected:
  bool next(Candle& out) override {
    if (i_ == n_) return false;
    c_.open_time_ns = static_cast<std::int64_t>(i_++) * 60'000'000'000;
    out = c_;
    return true;
  }

 private:
  std::uint64_t n_;
  std::uint64_t i_ = 0;
  Candle c_;
};

class SignalEveryCandle final : public Strategy {
 public:
  std::string_view id() const override { return "every"; }
  void on_candle(const Candle& c, SignalSink& out) override {
    Signal s;
    s.strategy_id = "every";
    s.symbol = c.symbol;
    s.reference_price = c.close;
    s.time_ns = c.close_time_ns;
    out.emit(s);
  }
};

class OrderEverySignal final : public OrderManager {
 public:
  std::optional<Order> create_order(const Signal& s, std::uint64_t seq) override {
    Order o;
    o.client_order_id = "bench";
    o.symbol = s.symbol;
    o.quantity = Decimal::from_int(1);
    o.signal_sequence = seq;
    return o;
  }
  void on_fill(const Fill&) override { ++fills; }
  void on_order_closed(const Order&) override {}
  std::uint64_t fills = 0;
};

class InstantFill final : public Exchange {
 public:
  std::string_view name() const override { return "instant"; }
  void attach(ExecutionReports& r) override { reports_ = &r; }
  void submit(const Order& o) override {
    Fill f;
    f.client_order_id = o.client_order_id;
    f.symbol = o.symbol;
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

}  // namespace

double pipeline_candles_per_s(std::uint64_t n) {
  EngineOptions eo;
  eo.bus.wait_strategy = WaitStrategy::busy_spin;
  eo.bus.data.overflow = Overflow::wait_forever;
  eo.bus.pending_orders_file.clear();
  eo.failed_orders_file.clear();
  eo.handle_signals = false;
  TradingEngine engine(eo);
  auto manager = std::make_shared<OrderEverySignal>();
  engine.set_data_collector(std::make_shared<RepeatedCandles>(n));
  engine.set_strategy(std::make_shared<SignalEveryCandle>());
  engine.set_order_manager(manager);
  engine.set_exchange(std::make_shared<InstantFill>());
  const auto t0 = std::chrono::steady_clock::now();
  engine.run();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (manager->fills != n) return 0;  // a pipeline that lost events has no throughput figure
  return static_cast<double>(n) / s;
}

}  // namespace tradebus::bench
