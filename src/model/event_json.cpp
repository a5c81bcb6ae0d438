#include "tradebus/model/event_json.hpp"

#include <fmt/format.h>

namespace tradebus {

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
          out += c;
    }
  }
  return out;
}

std::string to_json(const Candle& c) {
  return fmt::format(
      R"({{"symbol":"{}","interval":"{}","open_time_ns":{},"close_time_ns":{},"open":"{}","high":"{}","low":"{}","close":"{}","volume":"{}","quote_volume":"{}","trades":{},"taker_buy_base_volume":"{}","taker_buy_quote_volume":"{}"}})",
      json_escape(c.symbol), json_escape(c.interval), c.open_time_ns, c.close_time_ns,
      c.open.to_string(), c.high.to_string(), c.low.to_string(), c.close.to_string(),
      c.volume.to_string(), c.quote_volume.to_string(), c.trade_count,
      c.taker_buy_base_volume.to_string(), c.taker_buy_quote_volume.to_string());
}

std::string to_json(const Signal& s) {
  return fmt::format(
      R"({{"strategy_id":"{}","symbol":"{}","direction":"{}","reference_price":"{}","strength":{},"time_ns":{},"reason":"{}"}})",
      json_escape(s.strategy_id), json_escape(s.symbol), to_string(s.direction),
      s.reference_price.to_string(), s.strength, s.time_ns, json_escape(s.reason));
}

std::string to_json(const Order& o) {
  return fmt::format(
      R"({{"client_order_id":"{}","symbol":"{}","strategy_id":"{}","side":"{}","type":"{}","time_in_force":"{}","status":"{}","quantity":"{}","limit_price":"{}","reference_price":"{}","filled_quantity":"{}","created_ns":{},"signal_sequence":{},"reason":"{}"}})",
      json_escape(o.client_order_id), json_escape(o.symbol), json_escape(o.strategy_id),
      to_string(o.side), to_string(o.type), to_string(o.time_in_force), to_string(o.status),
      o.quantity.to_string(), o.limit_price.to_string(), o.reference_price.to_string(),
      o.filled_quantity.to_string(), o.created_ns, o.signal_sequence, json_escape(o.reason));
}

std::string to_json(const Fill& f) {
  return fmt::format(
      R"({{"client_order_id":"{}","symbol":"{}","strategy_id":"{}","side":"{}","price":"{}","quantity":"{}","fee":"{}","fee_asset":"{}","time_ns":{},"trade_id":{},"order_complete":{}}})",
      json_escape(f.client_order_id), json_escape(f.symbol), json_escape(f.strategy_id),
      to_string(f.side), f.price.to_string(), f.quantity.to_string(), f.fee.to_string(),
      json_escape(f.fee_asset), f.time_ns, f.trade_id, f.order_complete);
}

std::string to_json(const ErrorInfo& e) {
  return fmt::format(
      R"({{"component":"{}","severity":"{}","error_type":"{}","message":"{}","context":"{}"}})",
      json_escape(e.component), to_string(e.severity), json_escape(e.error_type),
      json_escape(e.message), json_escape(e.context));
}

std::string to_json(const Event& e) {
  std::string payload = std::visit(
      [](const auto& p) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(p)>, std::monostate>)
          return "null";
        else
          return to_json(p);
      },
      e.payload);
  return fmt::format(
      R"({{"type":"{}","timestamp_ns":{},"source":"{}","sequence":{},"payload":{}}})",
      to_string(e.type), e.timestamp_ns, json_escape(e.source), e.sequence, payload);
}

}  // namespace tradebus
