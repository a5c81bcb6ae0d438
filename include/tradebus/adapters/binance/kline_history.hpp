// Kline history through REST GET /api/v3/klines: paged downloads for `tradebus fetch-klines`
// and the collector's gap backfill.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "tradebus/model/candle.hpp"

namespace tradebus::binance {

class RestClient;

/// A download that failed for good (after retries); what() says which request and why.
class KlineFetchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Calls `on_page` with every kline whose open time is in [start_ms, end_ms], oldest first, one
/// page (at most 1000) per call. Retries a network error, time-out, 5xx or 429/418 (after
/// Retry-After) up to `max_attempts` times per page with doubling back-off; throws
/// KlineFetchError for a 4xx answer, a malformed body or when the attempts run out, and
/// RestCanceled when the client is canceled.
void fetch_klines(RestClient& rest, const Symbol& symbol, const Interval& interval,
                  std::int64_t start_ms, std::int64_t end_ms,
                  const std::function<void(const std::vector<Candle>&)>& on_page,
                  int max_attempts = 6);

}  // namespace tradebus::binance
