// PaperExchange: a simulated exchange behind the same Exchange interface as the live one.
//   MARKET orders fill at the OPEN of the next candle of their symbol (no look-ahead), moved
//   against the trader by slippage_bps (not capped at the candle's high/low).
//   LIMIT orders fill on a later candle that trades through the price: a buy when low <= limit,
//   at min(open, limit); a sell when high >= limit, at max(open, limit).
//   Fee = fee_bps / 10,000 x notional, in the quote currency.
// A candle that opened before the order was created never fills it.
// An order with no later candle stays open (open_orders()). Loop thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tradebus/engine/exchange.hpp"

namespace tradebus {

struct PaperExchangeOptions {
  std::int64_t fee_bps = 10;
  std::int64_t slippage_bps = 0;
  std::string fee_asset = "USDT";
};

class PaperExchange final : public Exchange {
 public:
  explicit PaperExchange(PaperExchangeOptions options = {});

  std::string_view name() const override { return "paper"; }
  void attach(ExecutionReports& reports) override { reports_ = &reports; }
  void submit(const Order& order) override;
  void cancel(const ClientOrderId& id) override;
  void on_candle(const Candle& candle) override;
  std::vector<Order> open_orders() const override { return open_; }

  std::uint64_t fills() const { return fills_; }
  /// Resumes from a saved state: the orders still open (in submission order) and the trade id
  /// to number the next fill with.
  void restore(std::vector<Order> open, std::uint64_t next_trade_id);

 private:
  PaperExchangeOptions options_;
  ExecutionReports* reports_ = nullptr;
  std::vector<Order> open_;  // submission order
  std::uint64_t next_trade_id_ = 1;
  std::uint64_t fills_ = 0;
};

}  // namespace tradebus
