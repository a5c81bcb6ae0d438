#include "tradebus/adapters/binance/endpoint.hpp"

#include <fmt/format.h>

namespace tradebus::binance {

Endpoint Endpoint::parse(std::string_view url) {
  Endpoint e;
  std::string_view rest;
  std::string default_port;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    throw EndpointError(fmt::format("URL '{}': expected scheme://host[:port][/path]", url));
  const std::string_view scheme = url.substr(0, scheme_end);
  rest = url.substr(scheme_end + 3);
  if (scheme == "wss" || scheme == "https") {
    e.tls = true;
    default_port = "443";
  } else if (scheme == "ws" || scheme == "http") {
    e.tls = false;
    default_port = "80";
  } else {
    throw EndpointError(
        fmt::format("URL '{}': scheme '{}' is not one of ws, wss, http, https", url, scheme));
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) e.base_path = std::string(rest.substr(slash));
  while (!e.base_path.empty() && e.base_path.back() == '/')
    e.base_path.pop_back();
  if (e.base_path.find_first_of("?#") != std::string::npos)
    throw EndpointError(fmt::format("URL '{}': a base URL takes no query or fragment", url));
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    e.host = std::string(authority.substr(0, colon));
    e.port = std::string(authority.substr(colon + 1));
    if (e.port.empty() || e.port.size() > 5 ||
        e.port.find_first_not_of("0123456789") != std::string::npos || std::stoi(e.port) == 0 ||
        std::stoi(e.port) > 65535)
      throw EndpointError(
          fmt::format("URL '{}': port '{}' is not a number in 1-65535", url, e.port));
  } else {
    e.host = std::string(authority);
    e.port = default_port;
  }
  if (e.host.empty()) throw EndpointError(fmt::format("URL '{}': no host", url));
  return e;
}

}  // namespace tradebus::binance
