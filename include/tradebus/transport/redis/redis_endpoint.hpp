// RedisEndpoint: where a Redis server is, parsed from redis://[:password@]host:port[/db].
#pragma once

#include <stdexcept>
#include <string>

namespace tradebus::redis {

/// Bad --redis URL or [redis] config; the message says which value and what is wrong.
class RedisConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;  ///< Empty: no AUTH. Never logged.
  int db = 0;

  /// host:port/db, without the password: safe to log.
  std::string describe() const;
};

/// Parses redis://[:password@]host:port[/db] (user names are refused: Redis 7 ACL users are not
/// supported); throws RedisConfigError naming the URL (with any password masked).
RedisEndpoint parse_redis_url(const std::string& url);

}  // namespace tradebus::redis
