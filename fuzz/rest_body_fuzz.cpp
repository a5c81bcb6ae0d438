// Binance REST bodies (exchangeInfo, klines, orders, trades, account, errors): any bytes give a
// value or the parser's own error, never a crash.
#include <cstdint>
#include <string_view>

#include "adapters/binance/binance_json.hpp"
#include "tradebus/adapters/binance/symbol_filters.hpp"

using namespace tradebus;
using namespace tradebus::binance;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& f : parse_exchange_info(body))
      (void)apply_filters(f, Side::buy, Decimal::from_int(1), Decimal::from_int(1), false,
                          Decimal::from_int(1));
  } catch (const ExchangeInfoError&) {
  }
  try {
    (void)detail::parse_rest_klines(body, "BTCUSDT", "1m");
  } catch (const detail::BodyError&) {
  }
  try {
    (void)detail::parse_order_report(body);
  } catch (const detail::BodyError&) {
  }
  try {
    (void)detail::parse_my_trades(body);
  } catch (const detail::BodyError&) {
  }
  try {
    (void)detail::parse_account_balances(body);
  } catch (const detail::BodyError&) {
  }
  int code = 0;
  std::string msg;
  (void)detail::parse_error_body(body, code, msg);
  return 0;
}
