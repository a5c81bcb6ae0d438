// WebSocketClient: one client WebSocket (ws:// or wss://) driven by coroutines on the caller's
// io_context, behind a plain interface so that Beast's templates are instantiated in one
// translation unit only. Pings from the server are answered by Beast while a read is pending;
// a connection silent for `idle_timeout` fails the read (Beast pings it at half that time).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "tradebus/adapters/binance/endpoint.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace tradebus::binance::detail {

class WebSocketClient {
 public:
  virtual ~WebSocketClient() = default;
  /// Resolves, connects, (TLS handshake,) upgrades on `target`; throws system_error.
  virtual boost::asio::awaitable<void> connect(std::string target) = 0;
  /// The next text message, valid until the next read; throws system_error on close, error or
  /// idle time-out.
  virtual boost::asio::awaitable<std::string_view> read() = 0;
  /// Sends a close frame and waits for the server's (bounded by the handshake time-out).
  virtual boost::asio::awaitable<void> close() = 0;
  /// Aborts at once, on the io_context's thread: a pending read fails.
  virtual void abort() = 0;
  virtual std::uint64_t pings_received() const = 0;
};

struct WebSocketTimeouts {
  std::chrono::milliseconds handshake{10'000};
  std::chrono::milliseconds idle{60'000};
};

std::unique_ptr<WebSocketClient> make_websocket_client(boost::asio::io_context& io,
                                                       boost::asio::ssl::context& tls,
                                                       const Endpoint& endpoint,
                                                       WebSocketTimeouts timeouts);

}  // namespace tradebus::binance::detail
