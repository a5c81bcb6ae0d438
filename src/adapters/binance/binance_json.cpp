#include "binance_json.hpp"

#include <charconv>

#include <simdjson.h>

#include <fmt/format.h>

namespace tradebus::binance::detail {
namespace {

using simdjson::dom::element;

// Epoch milliseconds whose nanoseconds still fit an int64 (until 2262).
constexpr std::int64_t kMaxTimeMs = INT64_MAX / 1'000'000;

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

element parse_doc(std::string_view body, std::string_view what) {
  element doc;
  if (auto err = thread_parser().parse(body.data(), body.size()).get(doc))
    throw BodyError(fmt::format("{}: not JSON ({})", what, simdjson::error_message(err)));
  return doc;
}

Decimal decimal_field(simdjson::simdjson_result<element> e, const std::string& what) {
  std::string_view s;
  if (e.get_string().get(s)) throw BodyError(fmt::format("{}: not a decimal string", what));
  auto d = Decimal::parse(s);
  if (!d) throw BodyError(fmt::format("{}: '{}' is not a decimal", what, s));
  return *d;
}

Decimal decimal_field(element e, const std::string& what) {
  return decimal_field(simdjson::simdjson_result<element>(std::move(e)), what);
}

}  // namespace

bool parse_int(std::string_view text, std::int64_t& out) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

bool parse_error_body(std::string_view body, int& code, std::string& msg) {
  element doc;
  if (thread_parser().parse(body.data(), body.size()).get(doc)) return false;
  std::int64_t c = 0;
  std::string_view m;
  if (doc["code"].get_int64().get(c) || doc["msg"].get_string().get(m)) return false;
  code = static_cast<int>(c);
  msg = std::string(m);
  return true;
}

bool parse_server_time(std::string_view body, std::int64_t& ms) {
  element doc;
  if (thread_parser().parse(body.data(), body.size()).get(doc)) return false;
  return doc["serverTime"].get_int64().get(ms) == simdjson::SUCCESS;
}

std::vector<Candle> parse_rest_klines(std::string_view body, const Symbol& symbol,
                                      const Interval& interval) {
  element doc = parse_doc(body, "klines");
  simdjson::dom::array rows;
  if (doc.get_array().get(rows)) throw BodyError("klines: the body is not a JSON array");
  std::vector<Candle> out;
  std::size_t i = 0;
  for (element row : rows) {
    const std::string where = fmt::format("klines[{}]", i++);
    simdjson::dom::array a;
    if (row.get_array().get(a) || a.size() < 11)
      throw BodyError(where + ": expected an array of at least 11 fields");
    Candle c;
    c.symbol = symbol;
    c.interval = interval;
    std::int64_t open_ms = 0, close_ms = 0, trades = 0;
    if (a.at(0).get_int64().get(open_ms) || a.at(6).get_int64().get(close_ms) ||
        a.at(8).get_int64().get(trades) || open_ms <= 0 || close_ms < open_ms || trades < 0 ||
        close_ms > kMaxTimeMs)  // (found by rest_body_fuzz: ns would overflow)
      throw BodyError(where + ": open time, close time or trade count is not a valid integer");
    c.open_time_ns = open_ms * 1'000'000;
    c.close_time_ns = close_ms * 1'000'000;
    c.trade_count = trades;
    c.open = decimal_field(a.at(1), where + " open");
    c.high = decimal_field(a.at(2), where + " high");
    c.low = decimal_field(a.at(3), where + " low");
    c.close = decimal_field(a.at(4), where + " close");
    c.volume = decimal_field(a.at(5), where + " volume");
    c.quote_volume = decimal_field(a.at(7), where + " quote volume");
    c.taker_buy_base_volume = decimal_field(a.at(9), where + " taker buy base volume");
    c.taker_buy_quote_volume = decimal_field(a.at(10), where + " taker buy quote volume");
    if (c.high < c.low) throw BodyError(where + ": high is below low");
    out.push_back(c);
  }
  return out;
}

OrderReport parse_order_report(std::string_view body) {
  element doc = parse_doc(body, "order");
  OrderReport r;
  std::string_view s;
  if (doc["symbol"].get_string().get(s)) throw BodyError("order: no symbol");
  r.symbol = std::string(s);
  if (doc["clientOrderId"].get_string().get(s)) throw BodyError("order: no clientOrderId");
  r.client_order_id = std::string(s);
  if (doc["orderId"].get_int64().get(r.order_id)) throw BodyError("order: no orderId");
  if (doc["status"].get_string().get(s)) {
    // ACK answers carry no status: the order was accepted and is NEW.
    r.status = "NEW";
  } else {
    r.status = std::string(s);
  }
  element e;
  if (!doc["origQty"].get(e)) r.orig_qty = decimal_field(e, "order origQty");
  if (!doc["executedQty"].get(e)) r.executed_qty = decimal_field(e, "order executedQty");
  if (!doc["cummulativeQuoteQty"].get(e))
    r.cumulative_quote_qty = decimal_field(e, "order cummulativeQuoteQty");
  if (doc["transactTime"].get_int64().get(r.time_ms) &&
      doc["updateTime"].get_int64().get(r.time_ms) && doc["time"].get_int64().get(r.time_ms))
    r.time_ms = 0;
  if (r.time_ms < 0 || r.time_ms > kMaxTimeMs) throw BodyError("order: time out of range");
  simdjson::dom::array fills;
  if (!doc["fills"].get_array().get(fills)) {
    std::size_t i = 0;
    for (element f : fills) {
      const std::string where = fmt::format("order fills[{}]", i++);
      OrderTrade t;
      t.price = decimal_field(f["price"], where + " price");
      t.quantity = decimal_field(f["qty"], where + " qty");
      t.commission = decimal_field(f["commission"], where + " commission");
      if (f["commissionAsset"].get_string().get(s)) throw BodyError(where + ": no commissionAsset");
      t.commission_asset = std::string(s);
      std::int64_t id = 0;
      if (!f["tradeId"].get_int64().get(id) && id > 0) t.trade_id = static_cast<std::uint64_t>(id);
      r.fills.push_back(std::move(t));
    }
  }
  return r;
}

std::vector<Balance> parse_account_balances(std::string_view body) {
  element doc = parse_doc(body, "account");
  simdjson::dom::array arr;
  if (doc["balances"].get_array().get(arr)) throw BodyError("account: no balances array");
  std::vector<Balance> out;
  for (element b : arr) {
    std::string_view asset;
    if (b["asset"].get_string().get(asset)) throw BodyError("account: a balance without asset");
    Balance x;
    x.asset = std::string(asset);
    x.free = decimal_field(b["free"], "account balance free");
    x.locked = decimal_field(b["locked"], "account balance locked");
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<OrderTrade> parse_my_trades(std::string_view body) {
  element doc = parse_doc(body, "myTrades");
  simdjson::dom::array arr;
  if (doc.get_array().get(arr)) throw BodyError("myTrades: the body is not a JSON array");
  std::vector<OrderTrade> out;
  std::size_t i = 0;
  for (element t : arr) {
    const std::string where = fmt::format("myTrades[{}]", i++);
    OrderTrade x;
    x.price = decimal_field(t["price"], where + " price");
    x.quantity = decimal_field(t["qty"], where + " qty");
    x.commission = decimal_field(t["commission"], where + " commission");
    std::string_view asset;
    if (t["commissionAsset"].get_string().get(asset))
      throw BodyError(where + ": no commissionAsset");
    x.commission_asset = std::string(asset);
    std::int64_t id = 0;
    if (t["id"].get_int64().get(id) || id <= 0) throw BodyError(where + ": no trade id");
    x.trade_id = static_cast<std::uint64_t>(id);
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace tradebus::binance::detail
