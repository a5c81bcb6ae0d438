// CandleListSource: replays candles already in memory (a journal's, a test's) through the bus.
#pragma once

#include <string>
#include <vector>

#include "tradebus/marketdata/candle_replay.hpp"

namespace tradebus {

class CandleListSource final : public CandleReplay {
 public:
  explicit CandleListSource(std::vector<Candle> candles, std::string name = "candle-list")
      : candles_(std::move(candles)), name_(std::move(name)) {}
  ~CandleListSource() override { join(); }  // the thread reads candles_

  std::string_view name() const override { return name_; }
  double progress() const override {
    return candles_.empty()
               ? 1.0
               : static_cast<double>(published()) / static_cast<double>(candles_.size());
  }

 protected:
  bool next(Candle& out) override {
    if (next_ >= candles_.size()) return false;
    out = candles_[next_++];
    return true;
  }

 private:
  std::vector<Candle> candles_;
  std::string name_;
  std::size_t next_ = 0;
};

}  // namespace tradebus
