#include "tradebus/backtest/backtest_config.hpp"

#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "tradebus/execution/portfolio.hpp"

namespace tradebus {
namespace {

struct Ctx {
  std::string file;
  std::string where(const toml::node& n, const std::string& key) const {
    return fmt::format("{}:{}: {}", file, n.source().begin.line, key);
  }
};

Decimal decimal_of(const Ctx& cx, const toml::node& n, const std::string& key) {
  if (auto s = n.value<std::string>()) {
    if (auto d = Decimal::parse(*s)) return *d;
    throw ConfigError(fmt::format("{}: '{}' is not a decimal number", cx.where(n, key), *s));
  }
  if (auto i = n.value_exact<std::int64_t>()) {
    try {
      return Decimal::from_int(*i);
    } catch (const DecimalError&) {
      throw ConfigError(fmt::format("{}: {} is out of range", cx.where(n, key), *i));
    }
  }
  if (auto d = n.value_exact<double>()) {
    try {
      return Decimal::from_double(*d);
    } catch (const DecimalError&) {
      throw ConfigError(fmt::format("{}: {} is out of range", cx.where(n, key), *d));
    }
  }
  throw ConfigError(
      fmt::format("{}: expected a decimal (string like \"0.01\" or a number)", cx.where(n, key)));
}

std::int64_t int_of(const Ctx& cx, const toml::node& n, const std::string& key, std::int64_t min,
                    std::int64_t max) {
  auto v = n.value_exact<std::int64_t>();
  if (!v) throw ConfigError(fmt::format("{}: expected an integer", cx.where(n, key)));
  if (*v < min || *v > max)
    throw ConfigError(fmt::format("{}: {} is outside [{}, {}]", cx.where(n, key), *v, min, max));
  return *v;
}

std::string string_of(const Ctx& cx, const toml::node& n, const std::string& key) {
  auto v = n.value_exact<std::string>();
  if (!v) throw ConfigError(fmt::format("{}: expected a string", cx.where(n, key)));
  return *v;
}

std::string scalar_text(const Ctx& cx, const toml::node& n, const std::string& key) {
  if (auto s = n.value_exact<std::string>()) return *s;
  if (auto i = n.value_exact<std::int64_t>()) return std::to_string(*i);
  if (auto d = n.value_exact<double>()) return fmt::format("{}", *d);
  if (auto b = n.value_exact<bool>()) return *b ? "true" : "false";
  throw ConfigError(fmt::format("{}: expected a string or number", cx.where(n, key)));
}

StrategySpec strategy_of(const Ctx& cx, const toml::table& t, const std::string& prefix) {
  StrategySpec s;
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    if (key == "name")
      s.name = string_of(cx, v, prefix + ".name");
    else if (key == "id")
      s.id = string_of(cx, v, prefix + ".id");
    else if (key == "params" && v.is_table()) {
      for (auto&& [pk, pv] : *v.as_table())
        s.params[std::string(pk.str())] =
            scalar_text(cx, pv, prefix + ".params." + std::string(pk.str()));
    } else
      s.params[key] = scalar_text(cx, v, prefix + "." + key);  // strategy parameters inline
  }
  return s;
}

[[noreturn]] void unknown_key(const Ctx& cx, const toml::node& n, const std::string& key,
                              const char* known) {
  throw ConfigError(fmt::format("{}: unknown key; known keys: {}", cx.where(n, key), known));
}

}  // namespace

KlineFileSpec BacktestConfig::parse_data_arg(const std::string& arg) {
  KlineFileSpec spec;
  const auto eq = arg.find('=');
  if (eq == std::string::npos) {
    spec.path = arg;
  } else {
    spec.symbol = arg.substr(0, eq);
    spec.path = arg.substr(eq + 1);
    if (spec.symbol.empty() || spec.path.empty())
      throw ConfigError(fmt::format("--data '{}': expected SYMBOL=PATH", arg));
    for (char c : spec.symbol)
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
        throw ConfigError(fmt::format(
            "--data '{}': symbol '{}' must be upper-case letters and digits", arg, spec.symbol));
  }
  if (spec.path.empty()) throw ConfigError("--data: empty path");
  return spec;
}

std::pair<std::string, std::string> BacktestConfig::parse_param_arg(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(fmt::format("--param '{}': expected key=value", arg));
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

void BacktestConfig::validate() {
  if (!quantity.is_positive())
    throw ConfigError(fmt::format("quantity must be positive, got {}", quantity.to_string()));
  if (!capital.is_positive())
    throw ConfigError(fmt::format("capital must be positive, got {}", capital.to_string()));
  if (fee_bps < 0 || fee_bps > 10'000)
    throw ConfigError(fmt::format("fee_bps must be in [0, 10000], got {}", fee_bps));
  if (slippage_bps < 0 || slippage_bps > 10'000)
    throw ConfigError(fmt::format("slippage_bps must be in [0, 10000], got {}", slippage_bps));
  if (max_position.is_negative() || max_notional.is_negative())
    throw ConfigError("max_position and max_notional must not be negative");
  if (speed < 0) throw ConfigError("speed must not be negative");
  if (strategies.empty()) throw ConfigError("no strategy configured");
  for (std::size_t i = 0; i < strategies.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      const auto& a = strategies[i].id.empty() ? strategies[i].name : strategies[i].id;
      const auto& b = strategies[j].id.empty() ? strategies[j].name : strategies[j].id;
      if (a == b)
        throw ConfigError(fmt::format(
            "two strategies share the id '{}'; give each its own `id` (signals, orders and "
            "fills carry it)",
            a));
    }
  if (report_points < 10) throw ConfigError("report_points must be at least 10");

  std::vector<std::string> symbols;
  if (data.empty())
    for (const auto& s : synthetic.symbols)
      symbols.push_back(s.symbol);
  else
    for (const auto& d : expand_kline_patterns(data))
      symbols.push_back(d.symbol.empty() ? KlineCsvReader::symbol_from_path(d.path) : d.symbol);
  std::string quote;
  std::string first;
  for (const auto& sym : symbols) {
    if (sym.empty()) continue;  // reported by the source with the file name
    auto q = quote_asset_of(sym);
    if (!q) throw ConfigError(fmt::format("cannot tell the quote currency of symbol '{}'", sym));
    if (quote.empty()) {
      quote = std::string(*q);
      first = sym;
    } else if (quote != *q) {
      throw ConfigError(fmt::format(
          "symbols quote different currencies: {} is in {}, {} is in {}; one run trades against "
          "one quote currency (the capital's)",
          first, quote, sym, *q));
    }
  }
  quote_currency = quote.empty() ? "USDT" : quote;
}

BacktestConfig load_backtest_config(const std::string& path, BacktestConfig cfg) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }
  const Ctx cx{path};
  const char* known =
      "data, capital, quantity, fee_bps, slippage_bps, max_position, max_notional, report, "
      "trades, speed, report_points, serve, strategy, strategies, synthetic, redis";
  bool strategies_set = false;
  for (auto&& [k, v] : root) {
    const std::string key(k.str());
    if (key == "data") {
      auto* arr = v.as_array();
      if (!arr)
        throw ConfigError(
            fmt::format("{}: expected an array of \"SYMBOL=PATH\"", cx.where(v, key)));
      cfg.data.clear();
      for (auto&& item : *arr)
        cfg.data.push_back(BacktestConfig::parse_data_arg(string_of(cx, item, key)));
    } else if (key == "capital") {
      cfg.capital = decimal_of(cx, v, key);
    } else if (key == "quantity") {
      cfg.quantity = decimal_of(cx, v, key);
    } else if (key == "max_position") {
      cfg.max_position = decimal_of(cx, v, key);
    } else if (key == "max_notional") {
      cfg.max_notional = decimal_of(cx, v, key);
    } else if (key == "fee_bps") {
      cfg.fee_bps = int_of(cx, v, key, 0, 10'000);
    } else if (key == "slippage_bps") {
      cfg.slippage_bps = int_of(cx, v, key, 0, 10'000);
    } else if (key == "report") {
      cfg.report_path = string_of(cx, v, key);
    } else if (key == "trades") {
      cfg.trades_path = string_of(cx, v, key);
    } else if (key == "serve") {
      cfg.serve = string_of(cx, v, key);
    } else if (key == "redis") {
      // The scale-out roles' section, read by tradebus::redis::load_redis_config.
    } else if (key == "report_points") {
      cfg.report_points = static_cast<std::size_t>(int_of(cx, v, key, 10, 1'000'000));
    } else if (key == "speed") {
      auto d = v.value<double>();
      if (!d || *d < 0)
        throw ConfigError(fmt::format("{}: expected a number >= 0", cx.where(v, key)));
      cfg.speed = *d;
    } else if (key == "strategy") {
      auto* t = v.as_table();
      if (!t) throw ConfigError(fmt::format("{}: expected a table [strategy]", cx.where(v, key)));
      cfg.strategies = {strategy_of(cx, *t, "strategy")};
      strategies_set = true;
    } else if (key == "strategies") {
      auto* arr = v.as_array();
      if (!arr)
        throw ConfigError(fmt::format("{}: expected [[strategies]] tables", cx.where(v, key)));
      if (!strategies_set) cfg.strategies.clear();
      strategies_set = true;
      std::size_t i = 0;
      for (auto&& item : *arr) {
        auto* t = item.as_table();
        if (!t) throw ConfigError(fmt::format("{}: expected a table", cx.where(item, key)));
        cfg.strategies.push_back(strategy_of(cx, *t, fmt::format("strategies[{}]", i++)));
      }
    } else if (key == "synthetic") {
      auto* t = v.as_table();
      if (!t) throw ConfigError(fmt::format("{}: expected a table [synthetic]", cx.where(v, key)));
      for (auto&& [sk, sv] : *t) {
        const std::string skey = "synthetic." + std::string(sk.str());
        if (sk.str() == "seed")
          cfg.synthetic.seed = static_cast<std::uint64_t>(int_of(cx, sv, skey, 0, INT64_MAX));
        else if (sk.str() == "candles")
          cfg.synthetic.candles_per_symbol =
              static_cast<std::uint64_t>(int_of(cx, sv, skey, 1, 1'000'000'000));
        else if (sk.str() == "symbols") {
          auto* arr = sv.as_array();
          if (!arr)
            throw ConfigError(
                fmt::format("{}: expected [\"SYMBOL:START_PRICE\", ...]", cx.where(sv, skey)));
          cfg.synthetic.symbols.clear();
          for (auto&& item : *arr) {
            const std::string s = string_of(cx, item, skey);
            const auto colon = s.find(':');
            if (colon == std::string::npos || !Decimal::parse(s.substr(colon + 1)))
              throw ConfigError(
                  fmt::format("{}: '{}' is not SYMBOL:START_PRICE", cx.where(item, skey), s));
            cfg.synthetic.symbols.push_back({s.substr(0, colon), s.substr(colon + 1)});
          }
        } else
          unknown_key(cx, sv, skey, "seed, candles, symbols");
      }
    } else {
      unknown_key(cx, v, key, known);
    }
  }
  return cfg;
}

OrderManagerOptions BacktestConfig::order_manager_options() const {
  OrderManagerOptions om;
  om.quantity = quantity;
  om.max_position = max_position;
  om.max_notional = max_notional;
  om.fee_bps = fee_bps;
  return om;
}

PaperExchangeOptions BacktestConfig::paper_exchange_options() const {
  return PaperExchangeOptions{fee_bps, slippage_bps, quote_currency};
}

}  // namespace tradebus
