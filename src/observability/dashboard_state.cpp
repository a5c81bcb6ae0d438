#include "tradebus/observability/dashboard_state.hpp"

#include <chrono>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "tradebus/model/event_json.hpp"

namespace tradebus {
namespace {

std::string label(const MetricSample& s, const std::string& key) {
  for (const auto& [k, v] : s.labels)
    if (k == key) return v;
  return {};
}

// The upper bound (µs) of the bucket holding quantile q; 0 when empty.
double quantile_us(const MetricSample& s, double q) {
  if (s.count == 0) return 0;
  const double rank = q * static_cast<double>(s.count);
  for (const auto& [bound, cumulative] : s.buckets)
    if (static_cast<double>(cumulative) >= rank) return bound * 1e6;
  return s.buckets.empty() ? 0 : s.buckets.back().first * 1e6;
}

std::string number(double v) {
  return std::isfinite(v) ? fmt::format("{:.6g}", v) : "0";
}

}  // namespace

std::string dashboard_state_json(const MetricsRegistry& registry, const TradingSnapshot* snapshot,
                                 const std::string& title) {
  std::string queues, handlers;
  double events = 0, eps = 0;
  std::map<std::string, std::pair<double, double>> depth;  // queue -> depth, capacity
  for (const MetricFamilyData& f : registry.collect()) {
    if (f.name == "tradebus_queue_depth" || f.name == "tradebus_queue_capacity")
      for (const auto& s : f.samples)
        (f.name == "tradebus_queue_depth" ? depth[label(s, "queue")].first
                                          : depth[label(s, "queue")].second) = s.value;
    if (f.name == "tradebus_events_dispatched_total" && !f.samples.empty())
      events = f.samples[0].value;
    if (f.name == "tradebus_events_per_second" && !f.samples.empty()) eps = f.samples[0].value;
    if (f.name == "tradebus_handler_latency_seconds")
      for (const auto& s : f.samples)
        handlers +=
            fmt::format(R"({}{{"handler":"{}","event":"{}","samples":{},"p50_us":{},"p99_us":{}}})",
                        handlers.empty() ? "" : ",", json_escape(label(s, "handler")),
                        json_escape(label(s, "event")), s.count, number(quantile_us(s, 0.5)),
                        number(quantile_us(s, 0.99)));
  }
  for (const auto& [q, dc] : depth)
    queues +=
        fmt::format(R"({}{{"queue":"{}","depth":{},"capacity":{}}})", queues.empty() ? "" : ",",
                    json_escape(q), number(dc.first), number(dc.second));
  std::string books = R"("positions":[],"open_orders":[],"errors":[])";
  if (snapshot) {
    const TradingSnapshot::Data d = snapshot->data();
    std::string pos, open, errs;
    for (const auto& p : d.positions)
      pos += fmt::format(
          R"({}{{"symbol":"{}","quantity":"{}","last_price":"{}","realized_pnl":"{}","unrealized_pnl":"{}"}})",
          pos.empty() ? "" : ",", json_escape(p.symbol), p.quantity.to_string(),
          p.last_price.to_string(), p.realized_pnl.to_string_fixed(2),
          p.unrealized_pnl.to_string_fixed(2));
    for (const auto& o : d.open_orders)
      open += fmt::format(
          R"({}{{"id":"{}","symbol":"{}","side":"{}","type":"{}","quantity":"{}","price":"{}","status":"{}"}})",
          open.empty() ? "" : ",", json_escape(o.client_order_id.view()),
          json_escape(o.symbol.view()), to_string(o.side), to_string(o.type),
          o.quantity.to_string(), o.limit_price.to_string(), to_string(o.status));
    for (const auto& e : d.errors)
      errs += fmt::format(R"({}{{"time_ns":{},"component":"{}","severity":"{}","message":"{}"}})",
                          errs.empty() ? "" : ",", e.time_ns, json_escape(e.component), e.severity,
                          json_escape(e.message));
    books = fmt::format(
        R"("currency":"{}","cash":"{}","equity":"{}","realized_pnl":"{}","fees":"{}","positions":[{}],"open_orders":[{}],"errors":[{}])",
        json_escape(snapshot->quote_currency()), d.cash.to_string_fixed(2),
        d.equity.to_string_fixed(2), d.realized_pnl.to_string_fixed(2), d.fees.to_string_fixed(2),
        pos, open, errs);
  }
  return fmt::format(
      R"({{"title":"{}","time_ms":{},"events_dispatched":{},"events_per_second":{},"queues":[{}],"handlers":[{}],{}}})",
      json_escape(title),
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count(),
      number(events), number(eps), queues, handlers, books);
}

}  // namespace tradebus
