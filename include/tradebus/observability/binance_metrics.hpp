// Metrics of the Binance adapter: stream connections, messages and parse errors; REST
// requests by endpoint and status, answer time, used weight; order outcomes.
#pragma once

#include <memory>

#include "tradebus/observability/metrics_registry.hpp"

namespace tradebus::binance {
class KlineCollector;
class BinanceExchange;
}  // namespace tradebus::binance

namespace tradebus {

/// Either may be null. Both must outlive the collector's use.
MetricsCollector binance_metrics(std::shared_ptr<const binance::KlineCollector> collector,
                                 std::shared_ptr<const binance::BinanceExchange> exchange);

}  // namespace tradebus
