// SeriesSampler: keeps at most `max_points` of a growing series by doubling its stride and
// dropping every other kept point when full, so memory stays bounded however long the run.
#pragma once

#include <cstdint>
#include <vector>

#include "tradebus/backtest/backtest_runner.hpp"

namespace tradebus::detail {

class SeriesSampler {
 public:
  explicit SeriesSampler(std::size_t max_points) : max_(max_points < 4 ? 4 : max_points) {}

  void add(std::int64_t t, double v) {
    last_ = {t, v};
    has_last_ = true;
    if (seen_++ % stride_ != 0) return;
    points_.push_back(last_);
    if (points_.size() >= max_) {
      std::size_t j = 0;
      for (std::size_t i = 0; i < points_.size(); i += 2)
        points_[j++] = points_[i];
      points_.resize(j);
      stride_ *= 2;
    }
  }

  /// The kept points, plus the very last value when it was skipped.
  std::vector<SeriesPoint> take() {
    if (has_last_ && (points_.empty() || points_.back().time_ns != last_.time_ns))
      points_.push_back(last_);
    return std::move(points_);
  }

 private:
  std::size_t max_;
  std::uint64_t stride_ = 1;
  std::uint64_t seen_ = 0;
  std::vector<SeriesPoint> points_;
  SeriesPoint last_{};
  bool has_last_ = false;
};

}  // namespace tradebus::detail
