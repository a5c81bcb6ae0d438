// Endpoint: a parsed base URL (wss://stream.binance.com:9443, https://api.binance.com,
// ws://127.0.0.1:PORT for a loopback test server).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace tradebus::binance {

/// A URL we cannot use; what() says what is wrong with it.
class EndpointError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Endpoint {
  bool tls = true;
  std::string host;
  std::string port;
  std::string base_path;  ///< Without a trailing '/': "" or "/prefix".

  /// Accepts ws://, wss://, http:// and https:// URLs with an optional port and path; throws
  /// EndpointError naming the flag text for anything else.
  static Endpoint parse(std::string_view url);
  /// "host:port", as the Host header and log lines show it.
  std::string authority() const { return host + ":" + port; }
};

/// Binance spot production and the spot testnet (https://testnet.binance.vision).
inline constexpr std::string_view kBinanceWsUrl = "wss://stream.binance.com:9443";
inline constexpr std::string_view kBinanceRestUrl = "https://api.binance.com";
inline constexpr std::string_view kBinanceTestnetWsUrl = "wss://stream.testnet.binance.vision";
inline constexpr std::string_view kBinanceTestnetRestUrl = "https://testnet.binance.vision";

}  // namespace tradebus::binance
