#include "tradebus/adapters/binance/symbol_filters.hpp"

#include <simdjson.h>

#include <fmt/format.h>

namespace tradebus::binance {
namespace {

using simdjson::ondemand::object;
using simdjson::ondemand::value;

Decimal decimal_of(value v, std::string_view symbol, std::string_view key) {
  std::string_view s;
  if (v.get_string().get(s))
    throw ExchangeInfoError(fmt::format("exchangeInfo: {}.{} is not a string", symbol, key));
  auto d = Decimal::parse(s);
  if (!d || d->is_negative())
    throw ExchangeInfoError(
        fmt::format("exchangeInfo: {}.{} is not a decimal: '{}'", symbol, key, s));
  return *d;
}

void read_filter(object filter, SymbolFilters& f) {
  std::string_view type;
  for (auto field : filter) {
    std::string_view key;
    if (field.unescaped_key().get(key)) throw ExchangeInfoError("exchangeInfo: bad filter key");
    value v;
    if (field.value().get(v)) throw ExchangeInfoError("exchangeInfo: bad filter value");
    const std::string_view sym = f.symbol.view();
    if (key == "filterType") {
      if (v.get_string().get(type))
        throw ExchangeInfoError("exchangeInfo: filterType is not a string");
    } else if (type == "PRICE_FILTER") {
      if (key == "tickSize") f.tick_size = decimal_of(v, sym, key);
      if (key == "minPrice") f.min_price = decimal_of(v, sym, key);
      if (key == "maxPrice") f.max_price = decimal_of(v, sym, key);
    } else if (type == "LOT_SIZE") {
      if (key == "stepSize") f.step_size = decimal_of(v, sym, key);
      if (key == "minQty") f.min_qty = decimal_of(v, sym, key);
      if (key == "maxQty") f.max_qty = decimal_of(v, sym, key);
    } else if (type == "MIN_NOTIONAL" || type == "NOTIONAL") {
      if (key == "minNotional") f.min_notional = decimal_of(v, sym, key);
      bool b;
      if ((key == "applyToMarket" || key == "applyMinToMarket") && !v.get_bool().get(b))
        f.min_notional_applies_to_market = b;
    }
  }
}

}  // namespace

std::vector<SymbolFilters> parse_exchange_info(std::string_view json) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  object root;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(root))
    throw ExchangeInfoError("exchangeInfo: not a JSON object");
  std::vector<SymbolFilters> out;
  simdjson::ondemand::array symbols;
  if (root.find_field_unordered("symbols").get_array().get(symbols))
    throw ExchangeInfoError("exchangeInfo: no 'symbols' array");
  for (auto item : symbols) {
    object s;
    if (item.get_object().get(s))
      throw ExchangeInfoError("exchangeInfo: a symbol is not an object");
    SymbolFilters f;
    for (auto field : s) {
      std::string_view key;
      if (field.unescaped_key().get(key)) throw ExchangeInfoError("exchangeInfo: bad symbol key");
      value v;
      if (field.value().get(v)) throw ExchangeInfoError("exchangeInfo: bad symbol value");
      std::string_view text;
      if (key == "symbol") {
        if (v.get_string().get(text) || text.empty() || text.size() > Symbol::kMaxSize)
          throw ExchangeInfoError("exchangeInfo: bad 'symbol'");
        f.symbol = Symbol(text);
      } else if (key == "status" && !v.get_string().get(text)) {
        f.status = std::string(text);
      } else if (key == "baseAsset" && !v.get_string().get(text)) {
        f.base_asset = std::string(text);
      } else if (key == "quoteAsset" && !v.get_string().get(text)) {
        f.quote_asset = std::string(text);
      } else if (key == "filters") {
        simdjson::ondemand::array filters;
        if (v.get_array().get(filters))
          throw ExchangeInfoError(
              fmt::format("exchangeInfo: {} filters is not an array", f.symbol.view()));
        for (auto flt : filters) {
          object fo;
          if (flt.get_object().get(fo))
            throw ExchangeInfoError("exchangeInfo: a filter is not an object");
          read_filter(fo, f);
        }
      }
    }
    if (f.symbol.empty()) throw ExchangeInfoError("exchangeInfo: a symbol without 'symbol'");
    out.push_back(std::move(f));
  }
  return out;
}

FilterCheck apply_filters(const SymbolFilters& f, Side side, Quantity quantity, Price price,
                          bool is_market, Price reference_price) {
  FilterCheck r;
  r.quantity = f.step_size.is_positive() ? quantity.floor_to(f.step_size) : quantity;
  r.price = price;
  if (!is_market && f.tick_size.is_positive()) {
    const Price down = price.floor_to(f.tick_size);
    r.price = (side == Side::sell && down != price) ? down + f.tick_size : down;
  }
  auto reject = [&](std::string why) {
    r.rejection = std::move(why);
    return r;
  };
  if (!f.status.empty() && f.status != "TRADING")
    return reject(fmt::format("{} is not trading (status {})", f.symbol.view(), f.status));
  if (!r.quantity.is_positive() || r.quantity < f.min_qty)
    return reject(fmt::format("quantity {} below the minimum {} (step {})", r.quantity.to_string(),
                              f.min_qty.to_string(), f.step_size.to_string()));
  if (f.max_qty.is_positive() && r.quantity > f.max_qty)
    return reject(fmt::format("quantity {} above the maximum {}", r.quantity.to_string(),
                              f.max_qty.to_string()));
  if (!is_market) {
    if (r.price < f.min_price || !r.price.is_positive())
      return reject(fmt::format("price {} below the minimum {}", r.price.to_string(),
                                f.min_price.to_string()));
    if (f.max_price.is_positive() && r.price > f.max_price)
      return reject(fmt::format("price {} above the maximum {}", r.price.to_string(),
                                f.max_price.to_string()));
  }
  const bool check_notional =
      f.min_notional.is_positive() && (!is_market || f.min_notional_applies_to_market);
  const Money notional = Decimal::mul(r.quantity, is_market ? reference_price : r.price);
  if (check_notional && notional < f.min_notional)
    return reject(fmt::format("notional {} below the minimum {}", notional.to_string(),
                              f.min_notional.to_string()));
  return r;
}

const SymbolFilters* ExchangeRules::find(const Symbol& symbol) const {
  for (const auto& f : symbols_)
    if (f.symbol == symbol) return &f;
  return nullptr;
}

OrderRuleCheck ExchangeRules::check(const Symbol& symbol, Side side, Quantity quantity, Price price,
                                    bool is_market, Price reference_price) const {
  const SymbolFilters* f = find(symbol);
  if (!f) return {quantity, price, fmt::format("{} is not listed by the exchange", symbol.view())};
  FilterCheck c = apply_filters(*f, side, quantity, price, is_market, reference_price);
  return {c.quantity, c.price, std::move(c.rejection)};
}

}  // namespace tradebus::binance
