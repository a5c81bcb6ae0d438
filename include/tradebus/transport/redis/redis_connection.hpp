// RedisConnection: one blocking connection to Redis over hiredis 0.14 (which has no Asio adapter),
// used by one thread at a time. Replies are copied into RedisValue trees so no hiredis type leaks
// into our headers. Errors are split the way callers must treat them: RedisIoError (the
// connection is gone, the command's outcome is unknown: reconnect and retry idempotently) and
// RedisValue::is_error() (the server refused the command: a bug or bad data, not retried).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tradebus/transport/redis/redis_endpoint.hpp"

namespace tradebus::redis {

class RedisIoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A RESP2 reply.
struct RedisValue {
  enum class Kind : std::uint8_t { nil, string, status, error, integer, array };
  Kind kind = Kind::nil;
  std::string str;  ///< string, status and error text
  long long integer = 0;
  std::vector<RedisValue> elements;

  bool is_nil() const noexcept { return kind == Kind::nil; }
  bool is_error() const noexcept { return kind == Kind::error; }
  bool is_array() const noexcept { return kind == Kind::array; }
  bool is_string() const noexcept { return kind == Kind::string || kind == Kind::status; }
};

class RedisConnection {
 public:
  /// `timeout` bounds connecting and each reply (a BLOCK command needs a longer one: see
  /// set_reply_timeout).
  explicit RedisConnection(RedisEndpoint endpoint,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  /// Connects (closing any old connection), sends AUTH and SELECT. Throws RedisIoError, or
  /// RedisConfigError when the server refuses the password or database.
  void connect();
  bool connected() const noexcept;
  void close() noexcept;
  const RedisEndpoint& endpoint() const noexcept { return endpoint_; }
  void set_reply_timeout(std::chrono::milliseconds timeout);

  /// Sends one command and waits for its reply. Throws RedisIoError (and closes) on I/O failure.
  RedisValue command(const std::vector<std::string_view>& args);
  /// Pipelining: queue commands with append(), then read one reply per command, in order.
  void append(const std::vector<std::string_view>& args);
  RedisValue read_reply();

 private:
  [[noreturn]] void fail(std::string_view what);

  struct Impl;
  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Impl> impl_;
};

/// Calls `args` and throws std::runtime_error with the server's message when it answers an error.
RedisValue command_ok(RedisConnection& c, const std::vector<std::string_view>& args);

}  // namespace tradebus::redis
