// One place that decides whom a TLS connection trusts (REST and WebSocket share it).
#pragma once

#include <string>

namespace boost::asio::ssl {
class context;
}

namespace tradebus::binance::detail {

/// Verifies peers against the PEM file `ca_file`, or the system CA store when it is empty
/// (Debian's ca-certificates). Throws EndpointError naming the file when it cannot be loaded.
void configure_tls_verification(boost::asio::ssl::context& ctx, const std::string& ca_file);

}  // namespace tradebus::binance::detail
