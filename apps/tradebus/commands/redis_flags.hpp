// --redis URL and the scale-out tuning flags every role shares; they win over the config file's
// [redis] section.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "tradebus/transport/redis/redis_config.hpp"

namespace tradebus::cli {

struct RedisFlags {
  std::string url;
  std::string prefix;
  std::optional<std::int64_t> claim_idle_ms;
  std::optional<std::size_t> max_pending;
  std::optional<std::size_t> market_data_maxlen;

  void add_to(CLI::App* cmd, bool scale_out_role) {
    cmd->add_option("--redis", url,
                    scale_out_role ? "redis://[:password@]host:port[/db] (or [redis] url)"
                                   : "also publish order events to this Redis (redis://...)");
    if (!scale_out_role) return;
    cmd->add_option("--redis-prefix", prefix, "key prefix shared by the deployment (tb)");
    cmd->add_option("--claim-idle-ms", claim_idle_ms,
                    "a member silent this long loses its symbols and unacknowledged entries (5000)")
        ->check(CLI::Range(300, 3'600'000));
    cmd->add_option("--max-pending", max_pending,
                    "execution-stream backlog at which strategy members pause (10000)")
        ->check(CLI::Range(1, 1'000'000'000));
    cmd->add_option("--market-data-maxlen", market_data_maxlen,
                    "candles kept per symbol stream, MAXLEN ~ (10000)")
        ->check(CLI::Range(100, 1'000'000'000));
  }

  /// The config file's [redis] section (if any) with these flags on top; throws RedisConfigError.
  redis::RedisConfig resolve(const std::string& config_path) const {
    redis::RedisConfig cfg;
    if (!config_path.empty()) cfg = redis::load_redis_config(config_path);
    if (!url.empty()) cfg.url = url;
    if (!cfg.url.empty()) redis::parse_redis_url(cfg.url);
    if (!prefix.empty()) cfg.prefix = prefix;
    if (claim_idle_ms) cfg.claim_idle = std::chrono::milliseconds(*claim_idle_ms);
    if (max_pending) cfg.max_pending = *max_pending;
    if (market_data_maxlen) cfg.market_data_maxlen = *market_data_maxlen;
    return cfg;
  }
};

}  // namespace tradebus::cli
