// Durable orders: the engine's full order path with the SQLite outbox and the persistent paper
// exchange (process-crash safe), a restart on the history that run leaves, and the recovery of a
// state with 10,000 open orders.
#include <chrono>
#include <filesystem>

#include "scenarios.hpp"
#include "tradebus/engine/trading_engine.hpp"
#include "tradebus/execution/default_order_manager.hpp"
#include "tradebus/marketdata/candle_list_source.hpp"
#include "tradebus/persistence/order_outbox.hpp"
#include "tradebus/persistence/persistent_paper_exchange.hpp"
#include "tradebus/strategies/sma_cross.hpp"

namespace tradebus::bench {
namespace {

// Closes alternating 100 / 101: sma_cross(1, 2) signals on every candle, and every signal
// turns into an order (buy when flat, sell when long).
std::vector<Candle> zigzag(std::uint64_t n) {
  std::vector<Candle> out;
  out.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    Candle c;
    c.symbol = "BTCUSDT";
    c.interval = "1m";
    c.open_time_ns = static_cast<std::int64_t>(i) * 60'000'000'000;
    c.close_time_ns = c.open_time_ns + 59'999'000'000;
    c.open = c.high = c.low = c.close = Decimal::from_int(i % 2 ? 101 : 100);
    c.volume = Decimal::from_int(1);
    out.push_back(c);
  }
  return out;
}

struct DurableEngine {
  std::shared_ptr<StateStore> store;
  std::shared_ptr<OrderOutbox> outbox;
  std::unique_ptr<TradingEngine> engine;

  DurableEngine(const std::string& dir, std::vector<Candle> candles) {
    StateStoreOptions so;
    so.dir = dir;
    store = std::make_shared<StateStore>(so);
    outbox = std::make_shared<OrderOutbox>(store);
    EngineOptions eo;
    eo.handle_signals = false;
    eo.failed_orders_file.clear();
    eo.bus.pending_orders_file.clear();
    engine = std::make_unique<TradingEngine>(eo);
    OrderManagerOptions om;
    om.quantity = Decimal::from_int(1);
    engine->set_order_manager(std::make_shared<DefaultOrderManager>(
        om, std::make_shared<Portfolio>(Decimal::from_int(1'000'000'000))));
    engine->set_exchange(std::make_shared<PersistentPaperExchange>(store));
    engine->set_order_store(outbox);
    engine->set_strategy(std::make_shared<SmaCross>("bench", 1, 2));
    engine->set_data_collector(std::make_shared<CandleListSource>(std::move(candles)));
  }
};

}  // namespace

DurableFigures durable_orders(std::uint64_t candles, const std::string& dir) {
  const std::string path = dir + "/durable-orders";
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  DurableFigures f;
  {
    DurableEngine d(path, zigzag(candles));
    const auto t0 = std::chrono::steady_clock::now();
    if (!d.engine->run().empty()) return f;
    d.outbox->wait_durable();  // the last group is on disk inside the measurement
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    f.orders = d.engine->counters().orders;
    f.orders_per_s = static_cast<double>(f.orders) / s;
  }
  {
    // A restart on that history: open the state, load the outbox and the paper ledger, restore
    // the books from the newest snapshot and apply the fills after it, recover, and stop (no
    // candles).
    const auto t0 = std::chrono::steady_clock::now();
    DurableEngine d(path, {});
    if (d.engine->run().empty() &&
        (d.engine->recovery().from_snapshot || d.engine->recovery().fills_replayed > 0))
      f.restart_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  std::filesystem::remove_all(path, ec);
  return f;
}

double recovery_ms_open_orders(std::uint64_t open_orders, const std::string& dir) {
  const std::string path = dir + "/recovery";
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  {
    // A run that died with `open_orders` accepted and unfilled (no candle came after them).
    StateStoreOptions so;
    so.dir = path;
    auto store = std::make_shared<StateStore>(so);
    OrderOutbox outbox(store);
    outbox.load();
    struct Acks : ExecutionReports {
      OrderOutbox* box;
      void on_fill(const Fill&) override {}
      void on_rejected(const Order&, std::string_view) override {}
      void on_canceled(const Order&, std::string_view) override {}
      void on_acknowledged(const Order& o) override { box->record_order(o); }
    } acks;
    acks.box = &outbox;
    PersistentPaperExchange paper(store);
    paper.attach(acks);
    for (std::uint64_t i = 1; i <= open_orders; ++i) {
      Order o;
      o.client_order_id = ClientOrderId("tb-" + std::to_string(i));
      o.symbol = "BTCUSDT";
      o.strategy_id = "bench";
      o.quantity = Decimal::from_int(1);
      o.reference_price = Decimal::from_int(100);
      o.created_ns = static_cast<std::int64_t>(i);
      outbox.record_order(o);
      o.status = OrderStatus::submitted;
      outbox.record_order(o);
      paper.submit(o);
    }
    store->wait_durable();
  }
  double ms = -1;
  {
    DurableEngine d(path, {});
    if (d.engine->run().empty() && d.engine->recovery().adopted == open_orders)
      ms = static_cast<double>(d.engine->recovery().duration_ns) / 1e6;
  }
  std::filesystem::remove_all(path, ec);
  return ms;
}

}  // namespace tradebus::bench
