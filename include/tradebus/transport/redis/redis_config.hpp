// RedisConfig: the [redis] section of a tradebus config file, shared by every process of a
// deployment (flags such as --redis win over it).
//
//   [redis]
//   url = "redis://127.0.0.1:6379/0"     # redis://[:password@]host:port[/db]
//   prefix = "tb"                         # key prefix of the deployment
//   market_data_maxlen = 10000            # candles kept per symbol stream (MAXLEN ~)
//   claim_idle_ms = 5000                  # silence before a member's symbols are taken over
//   max_pending = 10000                   # execution-stream backlog that pauses strategies
//   publish = ["ORDER_FILLED"]            # event types this process also sends to Redis
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tradebus/model/event_type.hpp"
#include "tradebus/transport/redis/redis_endpoint.hpp"

namespace tradebus::redis {

struct RedisConfig {
  std::string url;  ///< Empty: no Redis (single-process mode).
  std::string prefix = "tb";
  std::size_t market_data_maxlen = 10'000;
  std::chrono::milliseconds claim_idle{5'000};
  std::size_t max_pending = 10'000;
  /// Event types that cross Redis from this process (beyond what its role sends anyway);
  /// nullopt: the role's default.
  std::optional<std::vector<EventType>> publish;
};

/// Reads the [redis] table of `path` (a file without one gives the defaults); throws
/// RedisConfigError naming file, line and key.
RedisConfig load_redis_config(const std::string& path);

}  // namespace tradebus::redis
