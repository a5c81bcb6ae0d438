#include "tradebus/observability/engine_metrics.hpp"

#include <fmt/format.h>

#include "tradebus/model/coarse_clock.hpp"
#include "tradebus/model/event_type.hpp"

namespace tradebus {
namespace {

double num(const Decimal& d) {
  return static_cast<double>(d.raw()) / 1e8;
}

std::string lane_name(std::size_t i) {
  return std::string(to_string(static_cast<Lane>(i)));
}

}  // namespace

MetricsCollector bus_metrics(const EventBus& bus) {
  struct Rate {
    std::mutex mu;
    std::chrono::steady_clock::time_point at{};
    std::uint64_t dispatched = 0;
    double eps = 0;
  };
  auto rate = std::make_shared<Rate>();
  return [&bus, rate](std::vector<MetricFamilyData>& out) {
    const BusStats s = bus.stats();
    auto depth = metric("tradebus_queue_depth", "Events waiting in the queue", MetricKind::gauge);
    auto cap = metric("tradebus_queue_capacity", "Queue capacity", MetricKind::gauge);
    auto pub = metric("tradebus_queue_published_total", "Events accepted into the queue",
                      MetricKind::counter);
    auto disp =
        metric("tradebus_queue_dispatched_total", "Events handed to handlers", MetricKind::counter);
    auto drop = metric("tradebus_queue_dropped_total", "Events dropped or evicted on overflow",
                       MetricKind::counter);
    auto tmo = metric("tradebus_queue_block_timeouts_total",
                      "Publishes whose wait for space ran out", MetricKind::counter);
    auto park = metric("tradebus_queue_parked_total",
                       "Order events parked by the loop thread while the queue was full",
                       MetricKind::counter);
    for (std::size_t i = 0; i < s.queues.size(); ++i) {
      const QueueStats& q = s.queues[i];
      const std::vector<std::pair<std::string, std::string>> l{{"queue", lane_name(i)}};
      depth.add(static_cast<double>(q.depth), l);
      cap.add(static_cast<double>(q.capacity), l);
      pub.add(static_cast<double>(q.published), l);
      disp.add(static_cast<double>(q.dispatched), l);
      drop.add(static_cast<double>(q.dropped), l);
      tmo.add(static_cast<double>(q.block_timeouts), l);
      park.add(static_cast<double>(q.parked), l);
    }
    for (auto* f : {&depth, &cap, &pub, &disp, &drop, &tmo, &park})
      out.push_back(std::move(*f));

    auto calls = metric("tradebus_handler_calls_total", "Handler calls", MetricKind::counter);
    auto errors =
        metric("tradebus_handler_errors_total", "Handler calls that threw", MetricKind::counter);
    auto lat =
        metric("tradebus_handler_latency_seconds",
               "Handler run time (sampled calls: every 64th by default)", MetricKind::histogram);
    for (const HandlerStats& h : s.handlers) {
      const std::vector<std::pair<std::string, std::string>> l{
          {"handler", h.name}, {"event", std::string(to_string(h.type))}};
      calls.add(static_cast<double>(h.calls), l);
      errors.add(static_cast<double>(h.errors), l);
      MetricSample hs;
      hs.labels = l;
      hs.count = h.timed_calls;
      hs.sum = static_cast<double>(h.latency_sum_ns) / 1e9;
      for (std::size_t b = 0; b < kHandlerLatencyBoundsNs.size() && b < h.latency_cumulative.size();
           ++b)
        hs.buckets.emplace_back(static_cast<double>(kHandlerLatencyBoundsNs[b]) / 1e9,
                                h.latency_cumulative[b]);
      lat.samples.push_back(std::move(hs));
    }
    out.push_back(std::move(calls));
    out.push_back(std::move(errors));
    out.push_back(std::move(lat));

    out.push_back(metric("tradebus_events_dispatched_total", "Events dispatched by the bus",
                         MetricKind::counter)
                      .add(static_cast<double>(s.events_dispatched)));
    double eps = 0;
    {
      std::lock_guard lk(rate->mu);
      const auto now = std::chrono::steady_clock::now();
      if (rate->at != std::chrono::steady_clock::time_point{} && now > rate->at &&
          s.events_dispatched >= rate->dispatched) {
        const double secs = std::chrono::duration<double>(now - rate->at).count();
        if (secs > 0.05) {
          rate->eps = static_cast<double>(s.events_dispatched - rate->dispatched) / secs;
          rate->at = now;
          rate->dispatched = s.events_dispatched;
        }
      } else {
        rate->at = now;
        rate->dispatched = s.events_dispatched;
      }
      eps = rate->eps;
    }
    out.push_back(metric("tradebus_events_per_second",
                         "Events dispatched per second since the previous scrape",
                         MetricKind::gauge)
                      .add(eps));
  };
}

MetricsCollector engine_metrics(const TradingEngine& engine) {
  return [&engine](std::vector<MetricFamilyData>& out) {
    const EngineCounters c = engine.counters();
    out.push_back(
        metric("tradebus_candles_total", "Closed candles seen by the engine", MetricKind::counter)
            .add(static_cast<double>(c.candles)));
    out.push_back(
        metric("tradebus_signals_total", "Signals emitted by strategies", MetricKind::counter)
            .add(static_cast<double>(c.signals)));
    out.push_back(
        metric("tradebus_orders_total", "Orders by what happened to them", MetricKind::counter)
            .add(static_cast<double>(c.orders), {{"state", "created"}})
            .add(static_cast<double>(c.fills), {{"state", "filled"}})
            .add(static_cast<double>(c.rejected), {{"state", "rejected"}})
            .add(static_cast<double>(c.canceled), {{"state", "canceled"}}));
    out.push_back(
        metric("tradebus_errors_total", "ERROR events", MetricKind::counter)
            .add(static_cast<double>(c.errors - c.critical_errors), {{"severity", "error"}})
            .add(static_cast<double>(c.critical_errors), {{"severity", "critical"}}));
  };
}

TradingSnapshot::TradingSnapshot(TradingEngine& engine, std::shared_ptr<const Portfolio> portfolio,
                                 std::shared_ptr<const Exchange> exchange,
                                 std::string quote_currency, std::chrono::milliseconds period)
    : portfolio_(std::move(portfolio)),
      exchange_(std::move(exchange)),
      quote_(std::move(quote_currency)),
      period_(period) {
  data_.cash = data_.equity = portfolio_->cash();
  engine.add_candle_observer([this](const Candle&) {
    changed_ = true;  // the marks moved
    // The coarse clock's 1-4 ms resolution is nothing beside a 200 ms period.
    if (coarse_monotonic_now() >= next_due_) refresh();
  });
  // A fill or an error waits for the loop to run out of events, or for the next due copy:
  // copying the books on every fill cost a fill-heavy backtest about 13 % of its speed.
  engine.bus().subscribe_sync(
      EventType::order_filled, [this](const Event&) { changed_ = true; }, "snapshot.on_fill");
  engine.bus().subscribe_sync(
      EventType::error,
      [this](const Event& e) {
        const ErrorInfo& info = e.as<ErrorInfo>();
        errors_.push_back(ErrorRow{e.timestamp_ns, std::string(info.component.view()),
                                   info.severity == Severity::critical ? "critical" : "error",
                                   info.message.substr(0, 300)});
        if (errors_.size() > 20) errors_.pop_front();
        changed_ = true;
      },
      "snapshot.on_error");
  engine.bus().add_idle_hook(
      [this] {
        if (changed_) refresh();
      },
      "snapshot.refresh");
}

void TradingSnapshot::refresh() {
  changed_ = false;
  next_due_ = coarse_monotonic_now() + period_;
  Data d;
  d.cash = portfolio_->cash();
  d.equity = portfolio_->equity();
  d.realized_pnl = portfolio_->realized_pnl();
  d.fees = portfolio_->fees_paid();
  for (const auto& [sym, p] : portfolio_->positions())
    d.positions.push_back(PositionRow{std::string(sym.view()), p.quantity, p.last_price,
                                      p.realized_pnl, p.unrealized_pnl()});
  if (exchange_) d.open_orders = exchange_->open_orders();
  d.errors.assign(errors_.begin(), errors_.end());
  d.updated_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  std::lock_guard lk(mu_);
  data_ = std::move(d);
}

TradingSnapshot::Data TradingSnapshot::data() const {
  std::lock_guard lk(mu_);
  return data_;
}

MetricsCollector TradingSnapshot::metrics() const {
  return [this](std::vector<MetricFamilyData>& out) {
    const Data d = data();
    auto pos = metric("tradebus_position", "Quantity held per symbol", MetricKind::gauge);
    auto pnl = metric("tradebus_realized_pnl", "Realized PnL per symbol, quote currency",
                      MetricKind::gauge);
    auto upnl = metric("tradebus_unrealized_pnl", "Unrealized PnL per symbol, quote currency",
                       MetricKind::gauge);
    for (const PositionRow& p : d.positions) {
      pos.add(num(p.quantity), {{"symbol", p.symbol}});
      pnl.add(num(p.realized_pnl), {{"symbol", p.symbol}});
      upnl.add(num(p.unrealized_pnl), {{"symbol", p.symbol}});
    }
    out.push_back(std::move(pos));
    out.push_back(std::move(pnl));
    out.push_back(std::move(upnl));
    const std::vector<std::pair<std::string, std::string>> q{{"currency", quote_}};
    out.push_back(metric("tradebus_cash", "Cash", MetricKind::gauge).add(num(d.cash), q));
    out.push_back(metric("tradebus_equity", "Cash + positions at last price", MetricKind::gauge)
                      .add(num(d.equity), q));
    out.push_back(
        metric("tradebus_realized_pnl_total_value", "Realized PnL, all symbols", MetricKind::gauge)
            .add(num(d.realized_pnl), q));
    out.push_back(metric("tradebus_fees_paid", "Fees paid", MetricKind::gauge).add(num(d.fees), q));
    out.push_back(metric("tradebus_open_orders", "Orders accepted and not final", MetricKind::gauge)
                      .add(static_cast<double>(d.open_orders.size())));
  };
}

}  // namespace tradebus
