#include "tradebus/observability/binance_metrics.hpp"

#include "tradebus/adapters/binance/binance_exchange.hpp"
#include "tradebus/adapters/binance/kline_collector.hpp"
#include "tradebus/bus/bus_stats.hpp"

namespace tradebus {

MetricsCollector binance_metrics(std::shared_ptr<const binance::KlineCollector> collector,
                                 std::shared_ptr<const binance::BinanceExchange> exchange) {
  return [collector, exchange](std::vector<MetricFamilyData>& out) {
    if (collector) {
      const auto s = collector->stats();
      auto c = [&](const char* name, const char* help, std::uint64_t v) {
        out.push_back(metric(name, help, MetricKind::counter).add(static_cast<double>(v)));
      };
      c("tradebus_ws_connects_total", "WebSocket connections opened", s.connections);
      c("tradebus_ws_reconnects_total", "Connections opened after the first of a group",
        s.reconnects);
      c("tradebus_ws_messages_total", "WebSocket messages received", s.messages);
      c("tradebus_ws_parse_errors_total", "Malformed messages skipped", s.malformed_messages);
      c("tradebus_ws_candles_total", "Closed candles published (backfilled included)", s.candles);
      c("tradebus_ws_backfilled_candles_total", "Candles fetched over REST to fill gaps",
        s.backfilled_candles);
    }
    if (exchange) {
      auto req = metric("tradebus_rest_requests_total", "REST requests by endpoint and status",
                        MetricKind::counter);
      auto lat = metric("tradebus_rest_latency_seconds", "REST answer time by endpoint",
                        MetricKind::histogram);
      for (const auto& e : exchange->rest_stats()) {
        for (const auto& [status, n] : e.by_status)
          req.add(static_cast<double>(n),
                  {{"endpoint", e.endpoint},
                   {"status", status == 0 ? std::string("none") : std::to_string(status)}});
        MetricSample h;
        h.labels = {{"endpoint", e.endpoint}};
        h.count = e.timed;
        h.sum = static_cast<double>(e.sum_ns) / 1e9;
        for (std::size_t b = 0; b < kHandlerLatencyBoundsNs.size(); ++b)
          h.buckets.emplace_back(static_cast<double>(kHandlerLatencyBoundsNs[b]) / 1e9,
                                 e.cumulative[b]);
        lat.samples.push_back(std::move(h));
      }
      out.push_back(std::move(req));
      out.push_back(std::move(lat));
      out.push_back(
          metric("tradebus_rest_used_weight", "X-MBX-USED-WEIGHT-1M last seen", MetricKind::gauge)
              .add(static_cast<double>(exchange->used_weight_1m())));
      const auto x = exchange->stats();
      out.push_back(metric("tradebus_exchange_unknown_outcomes_total",
                           "Order sends whose outcome had to be queried", MetricKind::counter)
                        .add(static_cast<double>(x.unknown_outcomes)));
      out.push_back(metric("tradebus_exchange_resubmits_total",
                           "Orders sent again after Binance confirmed it never saw them",
                           MetricKind::counter)
                        .add(static_cast<double>(x.resubmits)));
      out.push_back(
          metric("tradebus_exchange_rate_limited_total", "429/418 answers", MetricKind::counter)
              .add(static_cast<double>(x.rate_limited)));
    }
  };
}

}  // namespace tradebus
