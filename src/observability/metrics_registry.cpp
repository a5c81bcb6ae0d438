#include "tradebus/observability/metrics_registry.hpp"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <limits>

namespace tradebus {

MetricFamilyData& MetricFamilyData::add(double value,
                                        std::vector<std::pair<std::string, std::string>> labels) {
  MetricSample s;
  s.value = value;
  s.labels = std::move(labels);
  samples.push_back(std::move(s));
  return *this;
}

MetricFamilyData metric(std::string name, std::string help, MetricKind kind) {
  MetricFamilyData f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.kind = kind;
  return f;
}

void MetricsRegistry::add(MetricsCollector collector) {
  std::lock_guard lk(mu_);
  collectors_.push_back(std::move(collector));
}

std::vector<MetricFamilyData> MetricsRegistry::collect() const {
  std::vector<MetricFamilyData> out;
  std::lock_guard lk(mu_);
  for (const auto& c : collectors_)
    c(out);
  return out;
}

std::string MetricsRegistry::prometheus_text() const {
  std::vector<prometheus::MetricFamily> families;
  for (const MetricFamilyData& f : collect()) {
    prometheus::MetricFamily pf;
    // prometheus-cpp writes a counter's samples under the family name as given: Prometheus
    // convention is a family "x" with samples "x_total"; we name the family with the suffix.
    pf.name = f.name;
    pf.help = f.help;
    pf.type = f.kind == MetricKind::counter ? prometheus::MetricType::Counter
              : f.kind == MetricKind::gauge ? prometheus::MetricType::Gauge
                                            : prometheus::MetricType::Histogram;
    for (const MetricSample& s : f.samples) {
      prometheus::ClientMetric m;
      for (const auto& [k, v] : s.labels)
        m.label.push_back({k, v});
      if (f.kind == MetricKind::counter) m.counter.value = s.value;
      if (f.kind == MetricKind::gauge) m.gauge.value = s.value;
      if (f.kind == MetricKind::histogram) {
        m.histogram.sample_count = s.count;
        m.histogram.sample_sum = s.sum;
        for (const auto& [bound, cumulative] : s.buckets)
          m.histogram.bucket.push_back({cumulative, bound});
        m.histogram.bucket.push_back({s.count, std::numeric_limits<double>::infinity()});
      }
      pf.metric.push_back(std::move(m));
    }
    families.push_back(std::move(pf));
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace tradebus
