// RestClient: one keep-alive HTTP(S) connection to the Binance REST API, used from one thread at
// a time. Calls block the calling thread (with a time-out) and never throw for an HTTP status:
// the caller reads RestResponse. A network failure or time-out throws RestUnknownError: the
// request may or may not have reached Binance (Binance calls this outcome UNKNOWN).
//   - Signed requests get timestamp (local clock + the offset from sync_clock()), recvWindow and
//     the HMAC-SHA256 signature over the total params, plus the X-MBX-APIKEY header.
//   - Rate limits: X-MBX-USED-WEIGHT-1M is tracked; above `weight_slowdown_ratio` of the limit a
//     request waits for the next minute. A 429/418 answer's Retry-After holds every later request
//     until it passes.
//   - TLS verifies the certificate against the system CA store and the host name (SNI set).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tradebus/adapters/binance/endpoint.hpp"

namespace tradebus::binance {

class RequestSigner;

/// The request's outcome is unknown: connection failed, dropped or timed out mid-request.
class RestUnknownError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// cancel() was called.
class RestCanceled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class HttpMethod { get, post, del };

struct RestResponse {
  int status = 0;
  std::string body;
  std::optional<int> retry_after_s;  ///< Retry-After, on 429/418.
  std::optional<std::int64_t> used_weight_1m;
  /// Binance's {"code":..,"msg":..} when the body is one (errors); code 0 otherwise.
  int error_code = 0;
  std::string error_msg;
  bool ok() const { return status >= 200 && status < 300; }
  /// "HTTP 400: -1013 Filter failure: LOT_SIZE"
  std::string describe() const;
};

struct RestClientOptions {
  std::string url{"https://api.binance.com"};
  std::chrono::milliseconds timeout{10'000};
  std::chrono::milliseconds recv_window{5'000};
  std::string api_key;  ///< Sent as X-MBX-APIKEY on signed requests; never logged.
  std::string ca_file;  ///< PEM CA bundle to trust instead of the system store (proxies, tests).
  std::int64_t weight_limit_1m = 6000;
  double weight_slowdown_ratio = 0.9;
};

struct RestEndpointStats {
  std::string endpoint;
  std::map<int, std::uint64_t> by_status;
  std::uint64_t timed = 0;   ///< Requests with an answer, timed.
  std::uint64_t sum_ns = 0;  ///< Their total answer time.
  /// Answers within each bound of kHandlerLatencyBoundsNs (cumulative).
  std::array<std::uint64_t, 16> cumulative{};
};

class RestClient {
 public:
  /// Throws EndpointError for a bad URL. `signer` may be null when no signed call is made.
  explicit RestClient(RestClientOptions options, std::shared_ptr<const RequestSigner> signer = {});
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  /// `params` is the url-encoded parameter text ("symbol=BTCUSDT&limit=2"). POST sends it as the
  /// form body, GET/DELETE as the query. Signed: adds timestamp, recvWindow and signature.
  RestResponse send(HttpMethod method, std::string_view path, std::string_view params,
                    bool is_signed = false);
  RestResponse get(std::string_view path, std::string_view params = {}) {
    return send(HttpMethod::get, path, params, false);
  }

  /// GET /api/v3/time; sets the offset added to the local clock for timestamps (half the round
  /// trip accounted for). Returns the offset.
  std::chrono::milliseconds sync_clock();
  std::chrono::milliseconds clock_offset() const;
  /// Binance's clock now, as this client estimates it (epoch ms).
  std::int64_t server_time_ms() const;

  /// From any thread: the running call (and every later one) throws RestCanceled.
  void cancel();
  bool canceled() const;
  /// Waits `d` unless canceled first (then throws RestCanceled).
  void sleep_for(std::chrono::milliseconds d);

  std::int64_t used_weight_1m() const;
  std::uint64_t requests_sent() const;
  /// Requests by endpoint ("POST /api/v3/order") and HTTP status (0: no answer), and the
  /// answer time per endpoint, for metrics.
  std::vector<RestEndpointStats> endpoint_stats() const;
  /// HTTP status of the last request; 0 when it got no answer, -1 before the first.
  int last_status() const;
  std::uint64_t connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Percent-encodes a parameter value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);

}  // namespace tradebus::binance
