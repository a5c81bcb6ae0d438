#include "tradebus/adapters/binance/kline_history.hpp"

#include <array>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "binance_json.hpp"
#include "tradebus/adapters/binance/rest_client.hpp"

namespace tradebus::binance {

void fetch_klines(RestClient& rest, const Symbol& symbol, const Interval& interval,
                  std::int64_t start_ms, std::int64_t end_ms,
                  const std::function<void(const std::vector<Candle>&)>& on_page,
                  int max_attempts) {
  constexpr int kLimit = 1000;
  std::int64_t cursor = start_ms;
  while (cursor <= end_ms) {
    const std::string params = fmt::format("symbol={}&interval={}&startTime={}&endTime={}&limit={}",
                                           symbol.view(), interval.view(), cursor, end_ms, kLimit);
    std::vector<Candle> page;
    for (int attempt = 1;; ++attempt) {
      std::string why;
      try {
        RestResponse r = rest.get("/api/v3/klines", params);
        if (r.ok()) {
          try {
            page = detail::parse_rest_klines(r.body, symbol, interval);
          } catch (const detail::BodyError& e) {
            throw KlineFetchError(fmt::format("GET /api/v3/klines?{}: {}", params, e.what()));
          }
          break;
        }
        if (r.status < 500 && r.status != 429 && r.status != 418)
          throw KlineFetchError(fmt::format("GET /api/v3/klines?{}: {}", params, r.describe()));
        why = r.describe();  // 5xx, or a rate limit the client now holds requests for
      } catch (const RestUnknownError& e) {
        why = e.what();
      }
      if (attempt >= max_attempts)
        throw KlineFetchError(fmt::format("GET /api/v3/klines?{}: giving up after {} attempts: {}",
                                          params, attempt, why));
      const auto backoff = std::chrono::milliseconds(100 << std::min(attempt, 6));
      spdlog::warn("GET /api/v3/klines {}: {}; retry {} in {} ms", symbol.view(), why, attempt,
                   backoff.count());
      rest.sleep_for(backoff);
    }
    // Keep only what was asked for, in order, even if the server sent more.
    std::vector<Candle> keep;
    keep.reserve(page.size());
    for (const Candle& c : page) {
      const std::int64_t open_ms = c.open_time_ns / 1'000'000;
      if (open_ms < cursor || open_ms > end_ms) continue;
      if (!keep.empty() && c.open_time_ns <= keep.back().open_time_ns)
        throw KlineFetchError(
            fmt::format("GET /api/v3/klines?{}: open times not increasing", params));
      keep.push_back(c);
    }
    if (keep.empty()) break;
    on_page(keep);
    cursor = keep.back().close_time_ns / 1'000'000 + 1;
    if (static_cast<int>(page.size()) < kLimit) break;
  }
}

}  // namespace tradebus::binance
