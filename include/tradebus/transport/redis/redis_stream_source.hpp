// RedisStreamSource: the inbound half of the Redis transport, as a DataCollector — a consumer
// group member that reads one stream and publishes its events into the local bus, all on one
// lane so that their order survives (a candle, then the signals made from it). An entry is
// acknowledged (XACK) only after `ack_barrier` says everything published from it was handled
// and made durable, so a crash re-reads at most the unacknowledged entries; the candles among
// them are skipped by open time and their signals by the order store's signal key.
// `tradebus execute` reads {prefix}:exec with it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "tradebus/engine/data_collector.hpp"
#include "tradebus/model/event_type.hpp"
#include "tradebus/transport/redis/redis_endpoint.hpp"

namespace tradebus::redis {

struct RedisSourceOptions {
  RedisEndpoint endpoint;
  std::string stream;
  std::string group = "execute";
  std::string consumer = "executor";
  Lane lane = Lane::signal;
  std::size_t count = 256;  ///< Entries per read.
  std::chrono::milliseconds block{200};
  /// Entries another consumer of the group left unacknowledged this long are claimed (XAUTOCLAIM).
  std::chrono::milliseconds claim_idle{5'000};
  /// How often acknowledged entries are trimmed (XTRIM MINID, never past any group's
  /// unacknowledged or undelivered entries).
  std::chrono::milliseconds trim_interval{1'000};
  std::uint64_t max_candles = 0;  ///< Finish after this many candles (0: never).
  std::chrono::milliseconds max_backoff{5'000};
  /// Called before each XACK, on the source's thread: returns once everything published so far
  /// is handled and durable (true), or false when stopping (nothing is acknowledged then).
  /// Empty: acknowledge once published.
  std::function<bool()> ack_barrier;
};

struct RedisSourceStats {
  std::uint64_t entries = 0;
  std::uint64_t candles = 0;
  std::uint64_t signals = 0;
  std::uint64_t other_events = 0;
  std::uint64_t acknowledged = 0;
  std::uint64_t claimed = 0;             ///< Entries taken over from another consumer.
  std::uint64_t malformed = 0;           ///< Entries that did not decode (logged, acknowledged).
  std::uint64_t duplicates_skipped = 0;  ///< Candles (and their signals) seen before.
  std::uint64_t reconnects = 0;
  std::uint64_t trims = 0;
  bool connected = false;
};

class RedisStreamSource final : public DataCollector {
 public:
  explicit RedisStreamSource(RedisSourceOptions options);
  ~RedisStreamSource() override;

  std::string_view name() const override { return "redis-source"; }
  void start(EventBus& bus, std::function<void(std::string error)> finished) override;
  void stop() override;
  RedisSourceStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// Trims `stream` to what every consumer group on it has acknowledged (XTRIM MINID); a stream
/// without groups is left alone. Returns the MINID used, empty when nothing could be trimmed.
class RedisConnection;
std::string trim_acknowledged(RedisConnection& conn, const std::string& stream);

/// Creates `group` on `stream` (and the stream) reading from the start; an existing group is
/// kept as it is.
void ensure_group(RedisConnection& conn, const std::string& stream, const std::string& group);

}  // namespace tradebus::redis
