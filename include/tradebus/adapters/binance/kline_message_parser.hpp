// KlineMessageParser: Binance kline WebSocket messages (raw payloads or combined-stream
// wrappers {"stream":..,"data":{..}}) to Candles, with simdjson. Prices and quantities come
// from their strings as exact decimals. Never throws on bad input: the result says what was
// wrong. One parser per thread (it reuses its buffers).
// Binance sends klines with a fixed field order and no whitespace; a message of exactly that
// shape is read by a direct scan, anything else (other order, whitespace, escapes, any doubt)
// by simdjson. Both give the same result for every input (a differential test checks it).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tradebus/model/candle.hpp"

namespace tradebus::binance {

enum class KlineMessageKind {
  closed_candle,  ///< "x": true — becomes CANDLE_CLOSED
  open_update,    ///< an in-progress kline ("x": false)
  other,          ///< valid JSON of another kind (subscription answers, other streams)
  malformed,      ///< not JSON, or a kline with a missing or bad field
};

struct KlineMessage {
  KlineMessageKind kind = KlineMessageKind::malformed;
  Candle candle;      ///< Filled for closed_candle and open_update.
  std::string error;  ///< What was wrong, for malformed.
};

class KlineMessageParser {
 public:
  /// `fast_path` false: always simdjson (for tests and comparison).
  explicit KlineMessageParser(bool fast_path = true);
  ~KlineMessageParser();
  KlineMessageParser(const KlineMessageParser&) = delete;
  KlineMessageParser& operator=(const KlineMessageParser&) = delete;

  /// Parses one message text.
  KlineMessage parse(std::string_view text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tradebus::binance
