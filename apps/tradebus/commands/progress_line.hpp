// ProgressLine: one self-overwriting progress line on stderr (only when it is a terminal).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

#include <fmt/format.h>

namespace tradebus::cli {

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled), t0_(std::chrono::steady_clock::now()) {}

  void update(double fraction, std::uint64_t done) {
    if (!enabled_) return;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    const double rate = s > 0 ? static_cast<double>(done) / s : 0;
    const double eta = fraction > 0.001 ? s * (1 - fraction) / fraction : 0;
    const int width = 30;
    const int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    fmt::print(stderr, "\r[{}] {:5.1f}%  {} candles  {:.2f} M/s  ETA {:.0f}s   ", bar,
               fraction * 100, done, rate / 1e6, eta);
    std::fflush(stderr);
    drawn_ = true;
  }

  void finish() {
    if (enabled_ && drawn_) fmt::print(stderr, "\n");
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace tradebus::cli
