// RequestSigner: Binance's HMAC-SHA256 request signature (lowercase hex) over the exact
// payload text. Holds the API secret; never prints it (no stream operator, no accessor).
#pragma once

#include <string>
#include <string_view>

namespace tradebus::binance {

class RequestSigner {
 public:
  /// Throws std::invalid_argument for an empty secret.
  explicit RequestSigner(std::string secret);
  ~RequestSigner();
  RequestSigner(const RequestSigner&) = delete;
  RequestSigner& operator=(const RequestSigner&) = delete;

  /// Hex HMAC-SHA256 of `payload` (the total params: query string and body, as sent).
  std::string sign(std::string_view payload) const;

 private:
  std::string secret_;
};

}  // namespace tradebus::binance
