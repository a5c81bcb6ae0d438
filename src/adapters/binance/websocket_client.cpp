// The only translation unit that instantiates Beast's WebSocket client (plain and TLS).
#include "websocket_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace tradebus::binance::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;

template <class NextLayer>
class BeastWebSocketClient final : public WebSocketClient {
 public:
  template <class... Args>
  BeastWebSocketClient(asio::io_context& io, const Endpoint& ep, WebSocketTimeouts t,
                       Args&&... next_layer_args)
      : io_(io), ep_(ep), timeouts_(t), ws_(std::forward<Args>(next_layer_args)...) {}

  awaitable<void> connect(std::string target) override {
    asio::ip::tcp::resolver resolver(io_);
    auto results = co_await resolver.async_resolve(ep_.host, ep_.port, use_awaitable);
    auto& tcp = beast::get_lowest_layer(ws_);
    tcp.expires_after(timeouts_.handshake);
    co_await tcp.async_connect(results, use_awaitable);
    tcp.socket().set_option(asio::ip::tcp::no_delay(true));
    if constexpr (!std::is_same_v<NextLayer, beast::tcp_stream>) {
      if (!SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), ep_.host.c_str()))
        throw boost::system::system_error(asio::error::invalid_argument, "TLS SNI host name");
      ws_.next_layer().set_verify_callback(asio::ssl::host_name_verification(ep_.host));
      tcp.expires_after(timeouts_.handshake);
      co_await ws_.next_layer().async_handshake(asio::ssl::stream_base::client, use_awaitable);
    }
    tcp.expires_never();  // the websocket's own time-outs take over
    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = timeouts_.handshake;
    opt.idle_timeout = timeouts_.idle;
    opt.keep_alive_pings = true;
    ws_.set_option(opt);
    ws_.read_message_max(4 * 1024 * 1024);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::ping) ++pings_;
    });
    std::string host = ep_.host;
    if (!(ep_.port == "443" && ep_.tls) && !(ep_.port == "80" && !ep_.tls)) host += ":" + ep_.port;
    co_await ws_.async_handshake(host, target, use_awaitable);
  }

  awaitable<std::string_view> read() override {
    buffer_.clear();
    co_await ws_.async_read(buffer_, use_awaitable);
    const auto data = buffer_.cdata();
    co_return std::string_view(static_cast<const char*>(data.data()), data.size());
  }

  awaitable<void> close() override {
    co_await ws_.async_close(websocket::close_code::normal, use_awaitable);
  }

  void abort() override {
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  std::uint64_t pings_received() const override { return pings_; }

 private:
  asio::io_context& io_;
  Endpoint ep_;
  WebSocketTimeouts timeouts_;
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buffer_;
  std::uint64_t pings_ = 0;
};

}  // namespace

std::unique_ptr<WebSocketClient> make_websocket_client(asio::io_context& io,
                                                       asio::ssl::context& tls,
                                                       const Endpoint& endpoint,
                                                       WebSocketTimeouts timeouts) {
  if (endpoint.tls)
    return std::make_unique<BeastWebSocketClient<beast::ssl_stream<beast::tcp_stream>>>(
        io, endpoint, timeouts, io, tls);
  return std::make_unique<BeastWebSocketClient<beast::tcp_stream>>(io, endpoint, timeouts, io);
}

}  // namespace tradebus::binance::detail
