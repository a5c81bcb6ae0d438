// The JSON the dashboard page polls (/api/state): queue depths, event rate, handler latency,
// and the books from a TradingSnapshot.
#pragma once

#include <string>

#include "tradebus/observability/engine_metrics.hpp"
#include "tradebus/observability/metrics_registry.hpp"

namespace tradebus {

/// `snapshot` may be null (no books to show).
std::string dashboard_state_json(const MetricsRegistry& registry, const TradingSnapshot* snapshot,
                                 const std::string& title);

}  // namespace tradebus
