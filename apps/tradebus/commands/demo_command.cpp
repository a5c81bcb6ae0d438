// `tradebus demo`: a short deterministic run of the whole pipeline, printing what flowed
// through each queue.
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "tradebus/engine/trading_engine.hpp"
#include "tradebus/execution/default_order_manager.hpp"
#include "tradebus/execution/paper_exchange.hpp"
#include "tradebus/marketdata/synthetic_market.hpp"
#include "tradebus/strategies/sma_cross.hpp"

namespace tradebus::cli {

void add_demo_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("demo", "Run the pipeline on a small synthetic market");
  cmd->callback([&exit_code] {
    EngineOptions eo;
    eo.bus.data.overflow = Overflow::wait_forever;
    eo.bus.pending_orders_file.clear();
    eo.failed_orders_file.clear();
    TradingEngine engine(eo);
    SyntheticMarketOptions mo;
    mo.candles_per_symbol = 500;
    engine.set_data_collector(std::make_shared<SyntheticMarket>(mo));
    engine.set_strategy(std::make_shared<SmaCross>("sma_cross", 5, 20));
    auto portfolio = std::make_shared<Portfolio>(Decimal::from_int(10'000));
    engine.set_order_manager(
        std::make_shared<DefaultOrderManager>(OrderManagerOptions{}, portfolio));
    engine.set_exchange(std::make_shared<PaperExchange>());
    const auto err = engine.run();
    const auto st = engine.bus().stats();
    const auto c = engine.counters();
    fmt::print(
        "tradebus demo: 3 synthetic symbols x 500 candles -> sma_cross(5,20) -> paper "
        "exchange\n\n");
    fmt::print("{:<8} {:>9} {:>11} {:>8} {:>8} {:>7}\n", "queue", "capacity", "published",
               "dispatched", "dropped", "parked");
    for (const auto& q : st.queues)
      fmt::print("{:<8} {:>9} {:>11} {:>8} {:>8} {:>7}\n", to_string(q.lane), q.capacity,
                 q.published, q.dispatched, q.dropped, q.parked);
    fmt::print("\ncandles {}  signals {}  orders {}  fills {}  rejected {}\n", c.candles, c.signals,
               c.orders, c.fills, c.rejected);
    fmt::print("cash {}  equity {}  fees {}\n", portfolio->cash().to_string_fixed(2),
               portfolio->equity().to_string_fixed(2), portfolio->fees_paid().to_string_fixed(2));
    fmt::print("\n{:<28} {:>8} {:>7} {:>9} {:>9}\n", "handler", "calls", "errors", "p50 ns",
               "p99 ns");
    for (const auto& h : st.handlers)
      fmt::print("{:<28} {:>8} {:>7} {:>9} {:>9}\n", h.name, h.calls, h.errors, h.latency_p50_ns,
                 h.latency_p99_ns);
    exit_code = err.empty() ? 0 : 1;
  });
}

}  // namespace tradebus::cli
