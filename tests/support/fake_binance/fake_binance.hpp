// FakeBinance: a loopback stand-in for Binance spot that the tests (and the bench) start. It
// speaks the real protocol — combined kline streams over WebSocket with in-progress updates and
// pings, the REST endpoints tradebus uses with real HMAC signature, API-key, timestamp and
// recvWindow checks, Binance's error JSON, X-MBX-USED-WEIGHT-1M — so production code runs
// against it unchanged. Faults are injected through the control calls.
// One thread runs everything; control and inspection calls are safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tradebus/model/candle.hpp"

namespace tradebus::fakes {

struct FakeBinanceOptions {
  std::string api_key = "fake-api-key";
  std::string api_secret = "fake-api-secret";
  /// Wall time per candle; the market publishes `updates_per_candle` in-progress klines, then
  /// the closed one, evenly over it.
  std::chrono::milliseconds candle_period{40};
  int updates_per_candle = 2;
  std::chrono::milliseconds ping_interval{0};  ///< 0: no pings.
  std::int64_t clock_skew_ms = 0;              ///< The server's clock minus ours.
  std::int64_t fee_bps = 10;                   ///< Commission, in the quote asset.
  std::string quote_balance = "100000";        ///< Starting balance of every quote asset.
};

struct FakeSymbol {
  std::string symbol;  ///< "BTCUSDT"
  std::string base_asset;
  std::string quote_asset;
  std::string interval = "1m";
  std::vector<Candle> candles;  ///< The market, in open-time order.
  std::size_t history = 0;      ///< Candles already closed at start: REST has them, streams don't.
  std::string tick_size = "0.01";
  std::string step_size = "0.00001";
  std::string min_qty = "0.00001";
  std::string min_notional = "5";
};

/// What the fake did with one client order id.
struct FakeOrder {
  std::string client_order_id;
  std::string symbol;
  std::string side;
  std::string type;
  std::string status;
  std::string quantity;
  std::string executed_qty;
  std::int64_t order_id = 0;
};

enum class OrderFault {
  error_500_after_accept,   ///< Places the order, answers HTTP 500.
  timeout_after_accept,     ///< Places the order, answers after `delay` (the client gave up).
  drop_after_accept,        ///< Places the order, closes the connection without an answer.
  rate_limit_429,           ///< Does not place it; 429 with Retry-After: `retry_after_s`.
  delay_before_processing,  ///< Waits `delay`, then processes (a stale request is refused).
  error_503_before_accept,  ///< Does not place it; answers HTTP 503.
};

class FakeBinance {
 public:
  explicit FakeBinance(FakeBinanceOptions options = {});
  ~FakeBinance();
  FakeBinance(const FakeBinance&) = delete;
  FakeBinance& operator=(const FakeBinance&) = delete;

  /// Before start().
  void add_symbol(FakeSymbol symbol);
  /// Binds 127.0.0.1 on a free port and starts serving; the market starts when the first
  /// WebSocket client connects.
  void start();
  void stop();

  std::string ws_url() const;
  std::string rest_url() const;

  // Faults.
  void drop_connections();  ///< Closes every stream socket without a close frame.
  /// When the next stream connection opens, the market jumps `n` candles ahead without
  /// streaming them (REST still has them).
  void skip_candles_on_next_connect(std::size_t n);
  /// Upgrade requests get HTTP 503 for this long; drop_connections() too when `drop`.
  void refuse_streams_for(std::chrono::milliseconds d);
  void send_raw(std::string text);  ///< To every stream connection.
  void push_order_fault(OrderFault fault, std::chrono::milliseconds delay = {},
                        int retry_after_s = 1);
  void set_response_delay(std::chrono::milliseconds d);  ///< Every REST answer is this late.
  void add_used_weight(std::int64_t weight);
  void pause_market(bool paused);

  // Inspection.
  std::size_t candles_closed(const std::string& symbol) const;
  bool market_finished() const;
  std::vector<FakeOrder> orders() const;
  std::uint64_t order_requests() const;  ///< POST /api/v3/order received.
  std::uint64_t stream_connections() const;
  std::uint64_t pings_sent() const;
  std::uint64_t pongs_received() const;
  std::uint64_t bad_signatures() const;
  std::uint64_t klines_requests() const;
  /// Every request line and header block the fake received, for checking what went on the wire.
  std::vector<std::string> request_log() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tradebus::fakes
