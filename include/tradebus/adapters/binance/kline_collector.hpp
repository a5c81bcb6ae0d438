// KlineCollector: live Binance kline streams -> CANDLE_CLOSED on the bus (the seed's
// BinanceCollector). One I/O thread runs one combined-stream WebSocket per group of up to
// `max_streams_per_connection` symbols. Only closed klines ("x": true) are published.
//   Gaps: the first kline message per symbol after a (re)connect, and any closed kline later
//   than the one expected, trigger a REST backfill of the missing closed candles, so each
//   symbol's candles reach the bus exactly once and in open-time order.
//   Reconnects: on any error or silence, with exponential back-off and jitter; before
//   `max_connection_age` (Binance cuts connections at 24 h).
//   Bad messages are counted, logged once per kind with a sample, and skipped.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tradebus/adapters/binance/endpoint.hpp"
#include "tradebus/engine/data_collector.hpp"

namespace tradebus::binance {

struct KlineCollectorOptions {
  std::vector<std::string> symbols;  ///< Upper case: "BTCUSDT".
  std::string interval = "1m";
  std::string ws_url{kBinanceWsUrl};
  std::string rest_url{kBinanceRestUrl};
  std::size_t max_streams_per_connection = 1024;  ///< Binance's limit per connection.
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};  ///< Silence that counts as a dead connection.
  std::chrono::milliseconds reconnect_initial{100};
  std::chrono::milliseconds reconnect_max{30'000};
  std::chrono::milliseconds max_connection_age{std::chrono::hours(23) + std::chrono::minutes(30)};
  std::chrono::milliseconds rest_timeout{10'000};
  std::string ca_file;  ///< PEM CA bundle to trust instead of the system store.
  /// Stop (finished with no error) after this many candles; 0: never.
  std::uint64_t max_candles = 0;
};

/// Read with stats() from any thread.
struct KlineCollectorStats {
  std::uint64_t candles = 0;             ///< Published, backfilled ones included.
  std::uint64_t backfilled_candles = 0;  ///< Of those, from REST.
  std::uint64_t reconnects = 0;          ///< Connections opened after the first one per group.
  std::uint64_t connections = 0;
  std::uint64_t messages = 0;
  std::uint64_t malformed_messages = 0;
  std::uint64_t other_messages = 0;      ///< Valid JSON of another kind (subscription answers).
  std::uint64_t duplicates_skipped = 0;  ///< Closed klines already published.
  std::uint64_t backfill_failures = 0;   ///< Gaps REST could not fill (logged as errors).
  std::uint64_t pings = 0;               ///< Server pings answered.
  /// steady_clock time of the last successful (re)connect, in ns since its epoch; 0: never.
  std::int64_t last_connected_ns = 0;
  /// steady_clock time of the last message received; 0: none yet.
  std::int64_t last_message_ns = 0;
};

class KlineCollector final : public DataCollector {
 public:
  /// Throws std::invalid_argument for no symbols, a bad symbol or interval, or a bad URL.
  explicit KlineCollector(KlineCollectorOptions options);
  ~KlineCollector() override;

  std::string_view name() const override { return "binance"; }
  void start(EventBus& bus, std::function<void(std::string error)> finished) override;
  void stop() override;
  KlineCollectorStats stats() const;
  /// The combined-stream path each connection uses ("/stream?streams=btcusdt@kline_1m/...").
  std::vector<std::string> stream_targets() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tradebus::binance
