// The Binance REST bodies tradebus reads (errors, time, klines, orders), parsed with simdjson's
// DOM API: these are small or rare, so clarity wins over the on-demand parser used for streams.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tradebus/model/candle.hpp"

namespace tradebus::binance::detail {

/// A body that is not what the endpoint documents; what() says what is wrong.
class BodyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

bool parse_int(std::string_view text, std::int64_t& out);
/// {"code":-1013,"msg":"..."}; false when the body is not that shape.
bool parse_error_body(std::string_view body, int& code, std::string& msg);
bool parse_server_time(std::string_view body, std::int64_t& ms);
/// GET /api/v3/klines: [[openTime,"open",...,closeTime,...,"ignore"],...]. Throws BodyError.
std::vector<Candle> parse_rest_klines(std::string_view body, const Symbol& symbol,
                                      const Interval& interval);

struct OrderTrade {
  Price price;
  Quantity quantity;
  Money commission;
  std::string commission_asset;
  std::uint64_t trade_id = 0;
};

/// POST /api/v3/order (RESULT or FULL) and GET /api/v3/order answers.
struct OrderReport {
  std::string symbol;
  std::string client_order_id;
  std::int64_t order_id = 0;
  std::string status;  ///< NEW, PARTIALLY_FILLED, FILLED, CANCELED, REJECTED, EXPIRED, ...
  Quantity orig_qty;
  Quantity executed_qty;
  Money cumulative_quote_qty;
  std::int64_t time_ms = 0;  ///< transactTime, else updateTime, else time.
  std::vector<OrderTrade> fills;
};
/// Throws BodyError.
OrderReport parse_order_report(std::string_view body);

}  // namespace tradebus::binance::detail

namespace tradebus::binance::detail {

struct Balance {
  std::string asset;
  Decimal free;
  Decimal locked;
};
/// GET /api/v3/myTrades: each trade's price, qty, commission and id. Throws BodyError.
std::vector<OrderTrade> parse_my_trades(std::string_view body);
/// GET /api/v3/account: the "balances" array. Throws BodyError.
std::vector<Balance> parse_account_balances(std::string_view body);

}  // namespace tradebus::binance::detail
