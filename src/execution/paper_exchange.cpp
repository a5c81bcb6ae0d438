#include "tradebus/execution/paper_exchange.hpp"

#include <algorithm>
#include <stdexcept>

namespace tradebus {

PaperExchange::PaperExchange(PaperExchangeOptions options) : options_(std::move(options)) {
  if (options_.fee_bps < 0 || options_.slippage_bps < 0)
    throw std::invalid_argument("paper exchange: fee_bps and slippage_bps must not be negative");
}

void PaperExchange::submit(const Order& order) {
  if (!reports_) throw std::logic_error("paper exchange: submit before attach");
  if (!order.quantity.is_positive()) {
    reports_->on_rejected(order, "quantity must be positive");
    return;
  }
  if (order.type == OrderType::limit && !order.limit_price.is_positive()) {
    reports_->on_rejected(order, "limit price must be positive");
    return;
  }
  for (const auto& o : open_)
    if (o.client_order_id == order.client_order_id) {
      reports_->on_rejected(order, "duplicate client order id");
      return;
    }
  Order accepted = order;
  accepted.status = OrderStatus::acknowledged;
  open_.push_back(accepted);
}

void PaperExchange::restore(std::vector<Order> open, std::uint64_t next_trade_id) {
  open_ = std::move(open);
  next_trade_id_ = std::max(next_trade_id_, next_trade_id);
}

void PaperExchange::cancel(const ClientOrderId& id) {
  auto it = std::find_if(open_.begin(), open_.end(),
                         [&](const Order& o) { return o.client_order_id == id; });
  if (it == open_.end()) return;
  Order o = *it;
  open_.erase(it);
  o.status = OrderStatus::canceled;
  if (reports_) reports_->on_canceled(o, "canceled by request");
}

void PaperExchange::on_candle(const Candle& c) {
  for (auto it = open_.begin(); it != open_.end();) {
    // A candle that opened before the order existed cannot fill it (candles re-sent after a
    // restart, or out of order).
    if (it->symbol != c.symbol || c.open_time_ns < it->created_ns) {
      ++it;
      continue;
    }
    const Order& o = *it;
    Price price;
    if (o.type == OrderType::market) {
      const auto bps = o.side == Side::buy ? options_.slippage_bps : -options_.slippage_bps;
      price = c.open + Decimal::mul_ratio(c.open, bps, 10'000);
    } else if (o.side == Side::buy && c.low <= o.limit_price) {
      price = std::min(c.open, o.limit_price);
    } else if (o.side == Side::sell && c.high >= o.limit_price) {
      price = std::max(c.open, o.limit_price);
    } else {
      ++it;
      continue;
    }
    Fill f;
    f.client_order_id = o.client_order_id;
    f.symbol = o.symbol;
    f.strategy_id = o.strategy_id;
    f.side = o.side;
    f.price = price;
    f.quantity = o.quantity - o.filled_quantity;
    f.fee = Decimal::mul_ratio(Decimal::mul(price, f.quantity), options_.fee_bps, 10'000);
    f.fee_asset = FixedString<15>::truncated(options_.fee_asset);
    f.time_ns = c.open_time_ns;
    f.trade_id = next_trade_id_++;
    f.order_complete = true;
    it = open_.erase(it);
    ++fills_;
    reports_->on_fill(f);
  }
}

}  // namespace tradebus
