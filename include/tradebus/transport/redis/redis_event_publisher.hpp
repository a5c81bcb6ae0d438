// RedisEventPublisher: the outbound half of the Redis transport. Events of the chosen types
// published on a local EventBus are written to Redis Streams by a sender thread, pipelined:
//   CANDLE_CLOSED    -> {prefix}:md:{SYMBOL}  (XADD MAXLEN ~ market_data_maxlen: a slow reader
//                                              loses the oldest candles, Redis memory stays
//                                              bounded)
//   SIGNAL_GENERATED -> {prefix}:exec           ORDER_*  -> {prefix}:orders
//   ERROR            -> {prefix}:errors         (these three are never trimmed here)
// While Redis is slow or away events wait in a bounded buffer and the sender reconnects with a
// doubling back-off: a full buffer evicts the oldest candle (counted, like the bus's data lane)
// but makes any other event's publisher wait (never dropped, like the order lane).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "tradebus/bus/event_bus.hpp"
#include "tradebus/transport/redis/redis_endpoint.hpp"
#include "tradebus/transport/redis/stream_wire.hpp"

namespace tradebus::redis {

struct RedisPublisherOptions {
  RedisEndpoint endpoint;
  StreamNames names;
  std::size_t market_data_maxlen = 10'000;
  std::size_t capacity = 1'000;  ///< Events buffered while Redis is slow or away.
  std::size_t batch = 256;       ///< Events per pipelined round trip.
  /// Events for one stream in the same round trip share an entry, up to this many (1: one
  /// entry per event). Readers take an entry whole, so this is also their unit of claiming.
  std::size_t events_per_entry = 64;
  std::chrono::milliseconds max_backoff{5'000};
};

struct RedisPublisherStats {
  std::uint64_t published = 0;   ///< Accepted into the buffer.
  std::uint64_t sent = 0;        ///< Acknowledged by Redis.
  std::uint64_t dropped = 0;     ///< Candles evicted from a full buffer.
  std::uint64_t refused = 0;     ///< XADDs Redis answered with an error (logged, not retried).
  std::uint64_t reconnects = 0;  ///< Connection losses survived.
  std::uint64_t batches = 0;
  std::uint64_t entries = 0;  ///< Stream entries written (events share them under load).
  std::uint64_t unsent = 0;   ///< Still buffered when stop() gave up.
  std::size_t buffered = 0;
  bool connected = false;
};

class RedisEventPublisher {
 public:
  explicit RedisEventPublisher(RedisPublisherOptions options);
  /// stop(0).
  ~RedisEventPublisher();
  RedisEventPublisher(const RedisEventPublisher&) = delete;
  RedisEventPublisher& operator=(const RedisEventPublisher&) = delete;

  /// Starts the sender thread (it connects on its own, retrying).
  void start();
  /// Forwards every event of `types` published on `bus` (handlers named "redis.publish").
  void attach(EventBus& bus, const std::vector<EventType>& types);
  /// Any thread. Candles never wait; other events wait for room in the buffer.
  void publish(const Event& e);
  /// Waits until everything published so far is in Redis; false at the time-out.
  bool flush(std::chrono::nanoseconds timeout);
  /// Flushes for at most `drain`, then stops the sender; what is left is counted as unsent and
  /// logged. Idempotent.
  void stop(std::chrono::nanoseconds drain = std::chrono::seconds(5));
  RedisPublisherStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::vector<Subscription> subscriptions_;
};

}  // namespace tradebus::redis
