// MetricsRegistry: what /metrics and the dashboard show, gathered at scrape time. The hot path
// keeps its plain counters (bus stats, engine counters, collector stats); collectors registered
// here read them only when someone asks, so metrics cost the hot path nothing while nobody
// scrapes. Text output is Prometheus' exposition format, written by prometheus-cpp's
// TextSerializer from its own metric model.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace tradebus {

enum class MetricKind { counter, gauge, histogram };

struct MetricSample {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;  ///< Counters and gauges.
  /// Histograms: (upper bound, cumulative count) in increasing order, +Inf implied by count.
  std::vector<std::pair<double, std::uint64_t>> buckets;
  std::uint64_t count = 0;
  double sum = 0;
};

struct MetricFamilyData {
  std::string name;  ///< Full name, "tradebus_..."; counters end in "_total".
  std::string help;
  MetricKind kind = MetricKind::gauge;
  std::vector<MetricSample> samples;

  MetricFamilyData& add(double value, std::vector<std::pair<std::string, std::string>> labels = {});
};

/// Appends the families it knows to `out`; called on the scraping thread.
using MetricsCollector = std::function<void(std::vector<MetricFamilyData>& out)>;

class MetricsRegistry {
 public:
  void add(MetricsCollector collector);
  /// Every family, from every collector, in registration order.
  std::vector<MetricFamilyData> collect() const;
  /// Prometheus text exposition format (version 0.0.4).
  std::string prometheus_text() const;

 private:
  mutable std::mutex mu_;
  std::vector<MetricsCollector> collectors_;
};

/// A family with one sample, for collectors.
MetricFamilyData metric(std::string name, std::string help, MetricKind kind);

}  // namespace tradebus
