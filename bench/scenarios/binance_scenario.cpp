#include <chrono>
#include <string>

#include "scenarios.hpp"
#include "tradebus/adapters/binance/kline_message_parser.hpp"
#include "tradebus/model/event.hpp"

namespace tradebus::bench {

double ws_kline_parse_per_s(std::uint64_t messages) {
  const std::string text =
      R"({"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1672515782136,"s":"BTCUSDT","k":{"t":1672515780000,"T":1672515839999,"s":"BTCUSDT","i":"1m","f":100,"L":200,"o":"16500.10000000","c":"16510.25000000","h":"16520.00000000","l":"16490.00000000","v":"12.34500000","n":321,"x":true,"q":"203812.25000000","V":"6.10000000","Q":"100716.52500000","B":"0"}}})";
  binance::KlineMessageParser parser;
  std::uint64_t closed = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < messages; ++i) {
    auto m = parser.parse(text);
    if (m.kind != binance::KlineMessageKind::closed_candle) return 0;
    Event e(EventType::candle_closed, m.candle, m.candle.close_time_ns, "binance");
    closed += e.timestamp_ns != 0;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return closed == messages ? static_cast<double>(messages) / s : 0;
}

}  // namespace tradebus::bench
