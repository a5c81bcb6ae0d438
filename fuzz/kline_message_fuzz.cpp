// Kline WebSocket messages: never a crash, and the exact-layout scan agrees with simdjson.
#include <cstdint>
#include <string_view>

#include "tradebus/adapters/binance/kline_message_parser.hpp"

using namespace tradebus::binance;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static KlineMessageParser fast(true), generic(false);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const KlineMessage a = fast.parse(text);
  const KlineMessage b = generic.parse(text);
  if (a.kind != b.kind || a.error != b.error) __builtin_trap();
  if ((a.kind == KlineMessageKind::closed_candle || a.kind == KlineMessageKind::open_update) &&
      !(a.candle == b.candle))
    __builtin_trap();
  return 0;
}
