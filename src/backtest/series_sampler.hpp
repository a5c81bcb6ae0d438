// Decimator: keeps at most `max_points` items of a growing sequence, spread evenly over it, by
// doubling its stride and dropping every other kept item when full — memory stays bounded
// however long the run. SeriesSampler adds "the last value is always kept" for chart series.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "tradebus/backtest/backtest_runner.hpp"

namespace tradebus::detail {

template <class T>
class Decimator {
 public:
  explicit Decimator(std::size_t max_items) : max_(max_items < 4 ? 4 : max_items) {}

  /// Returns true when `item` was kept.
  bool add(const T& item) {
    if (seen_++ % stride_ != 0) return false;
    items_.push_back(item);
    if (items_.size() >= max_) {
      std::size_t j = 0;
      for (std::size_t i = 0; i < items_.size(); i += 2)
        items_[j++] = std::move(items_[i]);
      items_.resize(j);
      stride_ *= 2;
    }
    return true;
  }
  std::vector<T>& items() { return items_; }

 private:
  std::size_t max_;
  std::uint64_t stride_ = 1;
  std::uint64_t seen_ = 0;
  std::vector<T> items_;
};

class SeriesSampler {
 public:
  explicit SeriesSampler(std::size_t max_points) : points_(max_points) {}

  void add(std::int64_t t, double v) {
    last_ = {t, v};
    has_last_ = true;
    points_.add(last_);
  }

  /// The kept points, plus the very last value when it was skipped.
  std::vector<SeriesPoint> take() {
    auto& pts = points_.items();
    if (has_last_ && (pts.empty() || pts.back().time_ns != last_.time_ns)) pts.push_back(last_);
    return std::move(pts);
  }

 private:
  Decimator<SeriesPoint> points_;
  SeriesPoint last_{};
  bool has_last_ = false;
};

}  // namespace tradebus::detail
