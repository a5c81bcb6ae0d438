#include "tradebus/transport/redis/redis_config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

namespace tradebus::redis {
namespace {

std::string where(const std::string& path, const toml::node& n, std::string_view key) {
  return fmt::format("{}:{}: redis.{}", path, n.source().begin.line, key);
}

std::int64_t int_in(const std::string& path, const toml::node& n, std::string_view key,
                    std::int64_t lo, std::int64_t hi) {
  const auto v = n.value_exact<std::int64_t>();
  if (!v) throw RedisConfigError(fmt::format("{}: expected an integer", where(path, n, key)));
  if (*v < lo || *v > hi)
    throw RedisConfigError(
        fmt::format("{}: {} is outside [{}, {}]", where(path, n, key), *v, lo, hi));
  return *v;
}

}  // namespace

RedisConfig load_redis_config(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw RedisConfigError(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                       e.source().begin.column, e.description()));
  }
  RedisConfig cfg;
  const auto* section = root.get("redis");
  if (!section) return cfg;
  const auto* table = section->as_table();
  if (!table) throw RedisConfigError(fmt::format("{}: redis: expected a table [redis]", path));
  for (auto&& [k, v] : *table) {
    const std::string key(k.str());
    if (key == "url") {
      const auto s = v.value_exact<std::string>();
      if (!s) throw RedisConfigError(fmt::format("{}: expected a string", where(path, v, key)));
      try {
        parse_redis_url(*s);
      } catch (const RedisConfigError& e) {
        throw RedisConfigError(fmt::format("{}: {}", where(path, v, key), e.what()));
      }
      cfg.url = *s;
    } else if (key == "prefix") {
      const auto s = v.value_exact<std::string>();
      if (!s || s->empty() || s->find_first_of(" {}") != std::string::npos)
        throw RedisConfigError(fmt::format(
            "{}: expected a non-empty string without spaces or braces", where(path, v, key)));
      cfg.prefix = *s;
    } else if (key == "market_data_maxlen") {
      cfg.market_data_maxlen = static_cast<std::size_t>(int_in(path, v, key, 100, 1'000'000'000));
    } else if (key == "claim_idle_ms") {
      cfg.claim_idle = std::chrono::milliseconds(int_in(path, v, key, 300, 3'600'000));
    } else if (key == "max_pending") {
      cfg.max_pending = static_cast<std::size_t>(int_in(path, v, key, 1, 1'000'000'000));
    } else if (key == "publish") {
      const auto* arr = v.as_array();
      if (!arr)
        throw RedisConfigError(
            fmt::format("{}: expected an array of event types", where(path, v, key)));
      std::vector<EventType> types;
      for (auto&& item : *arr) {
        const auto s = item.value_exact<std::string>();
        const auto t = s ? parse_event_type(*s) : std::nullopt;
        if (!t)
          throw RedisConfigError(fmt::format(
              "{}: '{}' is not an event type (CANDLE_CLOSED, SIGNAL_GENERATED, ORDER_CREATED, "
              "ORDER_FILLED, ORDER_REJECTED, ORDER_CANCELED, ERROR)",
              where(path, item, key), s.value_or("?")));
        types.push_back(*t);
      }
      cfg.publish = std::move(types);
    } else {
      throw RedisConfigError(fmt::format(
          "{}: unknown key; known keys: url, prefix, market_data_maxlen, claim_idle_ms, "
          "max_pending, publish",
          where(path, v, key)));
    }
  }
  return cfg;
}

}  // namespace tradebus::redis
