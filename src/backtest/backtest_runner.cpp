#include "tradebus/backtest/backtest_runner.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "series_sampler.hpp"
#include "tradebus/backtest/atomic_file.hpp"
#include "tradebus/backtest/trades_csv.hpp"
#include "tradebus/engine/trading_engine.hpp"
#include "tradebus/execution/default_order_manager.hpp"
#include "tradebus/execution/paper_exchange.hpp"
#include "tradebus/marketdata/kline_csv_source.hpp"
#include "tradebus/marketdata/synthetic_market.hpp"
#include "tradebus/model/event_json.hpp"
#include "tradebus/model/time_format.hpp"
#include "tradebus/strategies/strategy_registry.hpp"

namespace tradebus {
namespace {

constexpr std::size_t kFillsSample = 2000;
constexpr std::size_t kTripsSample = 2000;

// Marks equity once per timestamp and keeps the bounded series for the report.
class EquityRecorder {
 public:
  EquityRecorder(const Portfolio& p, std::size_t points)
      : portfolio_(p), equity_(points), drawdown_(points) {}

  void on_candle(const Candle& c) {
    if (has_ts_ && c.open_time_ns == ts_) return;
    if (has_ts_) mark();
    ts_ = c.open_time_ns;
    has_ts_ = true;
  }

  void finish() {
    if (has_ts_) mark();
    has_ts_ = false;
  }

  void mark() {
    const Money equity = portfolio_.equity();
    if (!has_peak_ || equity > peak_) peak_ = equity, has_peak_ = true;
    double dd = 0;
    if (peak_.is_positive()) dd = Decimal::div(peak_ - equity, peak_).to_double();
    if (dd > max_drawdown_) max_drawdown_ = dd;
    equity_.add(ts_, equity.to_double());
    drawdown_.add(ts_, dd);
  }

  double max_drawdown() const { return max_drawdown_; }
  detail::SeriesSampler& equity() { return equity_; }
  detail::SeriesSampler& drawdown() { return drawdown_; }

 private:
  const Portfolio& portfolio_;
  detail::SeriesSampler equity_;
  detail::SeriesSampler drawdown_;
  std::int64_t ts_ = 0;
  bool has_ts_ = false;
  Money peak_;
  bool has_peak_ = false;
  double max_drawdown_ = 0;
};

}  // namespace

BacktestResult run_backtest(BacktestConfig cfg, const BacktestProgress& progress) {
  return run_backtest(std::move(cfg), progress, StrategyRegistry::with_builtins());
}

BacktestResult run_backtest(BacktestConfig cfg, const BacktestProgress& progress,
                            const StrategyRegistry& registry, const BacktestHooks& hooks) {
  cfg.validate();
  if (hooks.source && !hooks.symbols.empty())
    if (auto quote = quote_asset_of(hooks.symbols.front())) cfg.quote_currency = *quote;

  // Everything that can fail on bad input fails here, before the engine starts.
  std::shared_ptr<CandleReplay> source;
  std::vector<std::string> symbols;
  if (hooks.source) {
    source = hooks.source;
    symbols = hooks.symbols;
  } else if (cfg.data.empty()) {
    auto synth = std::make_shared<SyntheticMarket>(cfg.synthetic);
    for (const auto& s : cfg.synthetic.symbols)
      symbols.push_back(s.symbol);
    source = synth;
  } else {
    auto csv = std::make_shared<KlineCsvSource>(cfg.data);
    symbols = csv->symbols();
    source = csv;
  }
  source->set_speed(cfg.speed);

  std::vector<std::shared_ptr<Strategy>> strategies;
  for (const auto& spec : cfg.strategies)
    strategies.push_back(
        registry.create(spec.name, spec.id, StrategyParams(spec.name, spec.params)));

  std::optional<AtomicFile> trades_file;
  if (!cfg.trades_path.empty()) {
    trades_file.emplace(cfg.trades_path);
    write_trades_csv_header(trades_file->stream());
  }

  EngineOptions eo;
  eo.bus.data.overflow = Overflow::wait_forever;  // a replay waits instead of dropping
  eo.bus.pending_orders_file.clear();
  eo.failed_orders_file.clear();
  eo.shutdown_timeout = std::chrono::hours(1);
  TradingEngine engine(eo);
  if (hooks.observer) engine.bus().set_observer(hooks.observer);

  auto portfolio = std::make_shared<Portfolio>(cfg.capital);
  OrderManagerOptions om = cfg.order_manager_options();
  om.client_order_id_prefix = "bt";
  auto manager = std::make_shared<DefaultOrderManager>(om, portfolio);
  auto exchange = std::make_shared<PaperExchange>(cfg.paper_exchange_options());

  BacktestResult r;
  EquityRecorder recorder(*portfolio, cfg.report_points);
  std::map<Symbol, detail::SeriesSampler> price_series;
  engine.add_candle_observer([&](const Candle& c) {
    recorder.on_candle(c);
    auto it = price_series.find(c.symbol);
    if (it == price_series.end())
      it = price_series.emplace(c.symbol, detail::SeriesSampler(cfg.report_points)).first;
    it->second.add(c.open_time_ns, c.close.to_double());
  });
  detail::Decimator<Fill> markers(cfg.report_points);
  std::uint64_t trips_seen = 0;
  std::string write_error;
  engine.bus().subscribe_sync(
      EventType::order_filled,
      [&](const Event& e) {
        const Fill& f = e.as<Fill>();
        if (r.fills_sample.size() < kFillsSample) r.fills_sample.push_back(f);
        markers.add(f);
        if (trades_file) write_trades_csv_row(trades_file->stream(), f);
        if (portfolio->round_trips() != trips_seen) {
          trips_seen = portfolio->round_trips();
          if (r.round_trips_sample.size() < kTripsSample && portfolio->last_round_trip())
            r.round_trips_sample.push_back(*portfolio->last_round_trip());
        }
      },
      "backtest.record_fill");

  for (auto& s : strategies) {
    r.strategies.emplace_back(s->id());
    engine.add_strategy(std::move(s));
  }
  engine.set_order_manager(manager);
  engine.set_exchange(exchange);
  if (hooks.on_engine) hooks.on_engine(engine, portfolio, exchange);
  engine.set_data_collector(source);

  // Progress monitor.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread monitor;
  if (progress) {
    monitor = std::thread([&] {
      std::unique_lock lk(mu);
      while (!cv.wait_for(lk, std::chrono::milliseconds(200), [&] { return done; }))
        progress(source->progress(), engine.counters().candles);
    });
  }

  const auto t0 = std::chrono::steady_clock::now();
  std::string error;
  try {
    error = engine.run();
    if (hooks.after_run) hooks.after_run();
  } catch (...) {
    if (hooks.after_run) hooks.after_run();
    {
      std::lock_guard lk(mu);
      done = true;
    }
    cv.notify_all();
    if (monitor.joinable()) monitor.join();
    throw;
  }
  r.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  {
    std::lock_guard lk(mu);
    done = true;
  }
  cv.notify_all();
  if (monitor.joinable()) monitor.join();
  if (progress) progress(source->progress(), engine.counters().candles);
  if (!error.empty())
    throw DataError("backtest", 0, error);  // the source's message names file:line

  recorder.finish();
  r.interrupted = engine.stop_requested();
  const auto counters = engine.counters();
  const auto stats = engine.bus().stats();
  r.candles = counters.candles;
  r.signals = counters.signals;
  r.orders = counters.orders;
  r.fills = counters.fills;
  r.rejected = counters.rejected;
  r.handler_errors = stats.handler_errors;
  for (std::size_t i = 0; i < 3; ++i)
    r.dropped[i] = stats.queues[i].dropped;
  r.trades = portfolio->round_trips();
  r.wins = portfolio->wins();
  r.fees = portfolio->fees_paid();
  r.initial_capital = portfolio->initial_cash();
  r.final_equity = portfolio->equity();
  r.final_cash = portfolio->cash();
  r.realized_pnl = portfolio->realized_pnl();
  r.unrealized_pnl = portfolio->unrealized_pnl();
  r.max_drawdown = recorder.max_drawdown();
  r.open_orders_at_end = exchange->open_orders().size();
  r.candles_per_s = r.elapsed_s > 0 ? static_cast<double>(r.candles) / r.elapsed_s : 0;
  r.quote_currency = cfg.quote_currency;
  r.symbols = symbols;
  for (const auto& [sym, pos] : portfolio->positions())
    r.positions[sym.str()] = pos.quantity;
  r.equity_curve = recorder.equity().take();
  r.drawdown_curve = recorder.drawdown().take();
  for (auto& [sym, s] : price_series)
    r.prices[sym.str()] = s.take();
  r.fill_markers = std::move(markers.items());
  if (trades_file) trades_file->commit();
  return r;
}

std::string to_json(const BacktestResult& r, const BacktestConfig& cfg) {
  std::string symbols, strategies, positions;
  for (const auto& s : r.symbols)
    symbols += fmt::format("{}\"{}\"", symbols.empty() ? "" : ",", json_escape(s));
  for (const auto& s : r.strategies)
    strategies += fmt::format("{}\"{}\"", strategies.empty() ? "" : ",", json_escape(s));
  for (const auto& [s, q] : r.positions)
    positions +=
        fmt::format("{}\"{}\":{}", positions.empty() ? "" : ",", json_escape(s), q.to_string());
  const double ret =
      r.initial_capital.is_zero()
          ? 0
          : (r.final_equity - r.initial_capital).to_double() / r.initial_capital.to_double();
  return fmt::format(
      R"({{"candles":{},"symbols":[{}],"strategies":[{}],"signals":{},"orders":{},"fills":{},"trades":{},"wins":{},"rejected":{},"fees":{},"initial_capital":{},"final_equity":{},"final_cash":{},"realized_pnl":{},"unrealized_pnl":{},"return":{:.8f},"max_drawdown":{:.8f},"open_orders_at_end":{},"positions":{{{}}},"quote_currency":"{}","elapsed_s":{:.6f},"candles_per_s":{:.0f},"dropped":{{"order":{},"signal":{},"data":{}}},"handler_errors":{},"interrupted":{},"report":{},"trades_file":{}}})",
      r.candles, symbols, strategies, r.signals, r.orders, r.fills, r.trades, r.wins, r.rejected,
      r.fees.to_string(), r.initial_capital.to_string(), r.final_equity.to_string(),
      r.final_cash.to_string(), r.realized_pnl.to_string(), r.unrealized_pnl.to_string(), ret,
      r.max_drawdown, r.open_orders_at_end, positions, json_escape(r.quote_currency), r.elapsed_s,
      r.candles_per_s, r.dropped[0], r.dropped[1], r.dropped[2], r.handler_errors, r.interrupted,
      cfg.report_path.empty() ? "null" : "\"" + json_escape(cfg.report_path) + "\"",
      cfg.trades_path.empty() ? "null" : "\"" + json_escape(cfg.trades_path) + "\"");
}

std::string to_text(const BacktestResult& r) {
  const double ret =
      r.initial_capital.is_zero()
          ? 0
          : (r.final_equity - r.initial_capital).to_double() / r.initial_capital.to_double();
  std::string s;
  auto row = [&](std::string_view k, const std::string& v) {
    s += fmt::format("  {:<22} {}\n", k, v);
  };
  std::string syms;
  for (const auto& x : r.symbols)
    syms += (syms.empty() ? "" : ", ") + x;
  std::string strats;
  for (const auto& x : r.strategies)
    strats += (strats.empty() ? "" : ", ") + x;
  s += "Backtest summary\n";
  row("symbols", syms);
  row("strategies", strats);
  row("candles", fmt::format("{}", r.candles));
  row("signals", fmt::format("{}", r.signals));
  row("orders / fills", fmt::format("{} / {}", r.orders, r.fills));
  row("round trips (wins)", fmt::format("{} ({})", r.trades, r.wins));
  row("rejected orders", fmt::format("{}", r.rejected));
  row("open orders at end", fmt::format("{}", r.open_orders_at_end));
  row("fees", fmt::format("{} {}", r.fees.to_string_fixed(2), r.quote_currency));
  row("initial capital",
      fmt::format("{} {}", r.initial_capital.to_string_fixed(2), r.quote_currency));
  row("final equity", fmt::format("{} {}", r.final_equity.to_string_fixed(2), r.quote_currency));
  row("return", fmt::format("{:+.4f} %", ret * 100));
  row("max drawdown", fmt::format("{:.4f} %", r.max_drawdown * 100));
  row("realized / unrealized", fmt::format("{} / {}", r.realized_pnl.to_string_fixed(2),
                                           r.unrealized_pnl.to_string_fixed(2)));
  row("elapsed", fmt::format("{:.3f} s ({:.0f} candles/s)", r.elapsed_s, r.candles_per_s));
  row("dropped events", fmt::format("{}", r.dropped[0] + r.dropped[1] + r.dropped[2]));
  if (r.interrupted) row("note", "interrupted before the end of the data");
  return s;
}

}  // namespace tradebus
