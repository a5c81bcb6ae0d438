// `tradebus collect` and `tradebus strategy`: two of the three scale-out roles (the third,
// `execute`, shares paper/live's wiring in live_command.cpp). See README "Scale-out".
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "kline_collector_flags.hpp"
#include "redis_flags.hpp"
#include "stop_wait.hpp"
#include "strategy_flags.hpp"
#include "symbols_flag.hpp"
#include "tradebus/adapters/binance/endpoint.hpp"
#include "tradebus/bus/event_bus.hpp"
#include "tradebus/model/event_json.hpp"
#include "tradebus/model/kline_interval.hpp"
#include "tradebus/strategies/strategy_params.hpp"
#include "tradebus/strategies/strategy_registry.hpp"
#include "tradebus/transport/redis/redis_event_publisher.hpp"
#include "tradebus/transport/redis/strategy_group_member.hpp"

namespace tradebus::cli {
namespace {

struct RoleFlags {
  std::string symbols;
  std::string interval = "1m";
  std::string ws_url{binance::kBinanceWsUrl};
  std::string rest_url{binance::kBinanceRestUrl};
  std::string ca_file;
  std::string config;
  std::uint64_t max_candles = 0;
  double duration_s = 0;
  bool json = false;
  RedisFlags redis;

  void add_to(CLI::App* cmd, const char* market_flags_note) {
    cmd->add_option("--symbols", symbols, "comma-separated symbols, like BTCUSDT,ETHUSDT")
        ->required();
    cmd->add_option("--interval", interval, "kline interval (1m)");
    cmd->add_option("--ws-url", ws_url,
                    fmt::format("market data WebSocket base URL{}", market_flags_note));
    cmd->add_option("--rest-url", rest_url, fmt::format("REST API base URL{}", market_flags_note));
    cmd->add_option("--ca-file", ca_file, "PEM CA bundle to trust instead of the system store");
    cmd->add_option("--config", config, "TOML config ([redis], strategies; flags win)");
    cmd->add_option("--duration", duration_s, "stop after this many seconds");
    cmd->add_flag("--json", json, "print one JSON summary object at the end");
    redis.add_to(cmd, true);
  }

  redis::RedisConfig redis_config(const char* cmd) const {
    if (duration_s < 0) throw ConfigError("--duration must not be negative");
    auto cfg = redis.resolve(config);
    if (cfg.url.empty())
      throw ConfigError(fmt::format("{} needs --redis URL (or url in the config's [redis])", cmd));
    return cfg;
  }
};

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "member";
  return buf;
}

// Called in a catch block: the message for what ended a role, and its exit code (2 for bad
// input, 1 for anything else).
int report_error(const char* cmd) {
  const auto fail = [cmd](const std::exception& e, const char* kind, int code) {
    std::cerr << cmd << ": " << kind << e.what() << "\n";
    return code;
  };
  try {
    throw;
  } catch (const ConfigError& e) {
    return fail(e, "config error: ", 2);
  } catch (const redis::RedisConfigError& e) {
    return fail(e, "config error: ", 2);
  } catch (const StrategyParamError& e) {
    return fail(e, "strategy error: ", 2);
  } catch (const std::invalid_argument& e) {
    return fail(e, "", 2);
  } catch (const std::exception& e) {
    return fail(e, "error: ", 1);
  }
}

int run_collect(const RoleFlags& f) {
  const char* cmd = "tradebus collect";
  try {
    StopWait stop_wait;  // before any thread starts
    const auto rc = f.redis_config(cmd);
    const auto symbols = split_symbols(f.symbols);
    const auto collector =
        make_kline_collector(symbols, f.interval, f.ws_url, f.rest_url, f.ca_file, f.max_candles);
    redis::RedisPublisherOptions po;
    po.endpoint = redis::parse_redis_url(rc.url);
    po.names.prefix = rc.prefix;
    po.market_data_maxlen = rc.market_data_maxlen;
    redis::RedisEventPublisher publisher(po);
    std::vector<EventType> types{EventType::candle_closed};
    if (rc.publish)
      for (auto t : *rc.publish)
        if (t != EventType::candle_closed) types.push_back(t);

    EventBus bus;
    publisher.attach(bus, types);
    publisher.start();
    bus.start();
    std::mutex mu;
    std::string error;
    std::atomic<bool> finished{false};
    collector->start(bus, [&](std::string e) {
      {
        std::lock_guard lock(mu);
        error = std::move(e);
      }
      finished = true;
    });
    const auto t0 = std::chrono::steady_clock::now();
    const bool interrupted = stop_wait.wait(f.duration_s, [&] { return finished.load(); });
    collector->stop();
    bus.shutdown(std::chrono::seconds(5));
    publisher.stop(std::chrono::seconds(10));
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto c = collector->stats();
    const auto p = publisher.stats();
    if (f.json)
      std::cout
          << fmt::format(
                 R"({{"role":"collect","candles":{},"backfilled_candles":{},"reconnects":{},"malformed_messages":{},"published":{},"sent":{},"dropped":{},"refused":{},"unsent":{},"redis_reconnects":{},"batches":{},"elapsed_s":{:.3f},"interrupted":{}}})",
                 c.candles, c.backfilled_candles, c.reconnects, c.malformed_messages, p.published,
                 p.sent, p.dropped, p.refused, p.unsent, p.reconnects, p.batches, elapsed,
                 interrupted)
          << std::endl;
    else
      std::cout << fmt::format(
          "Collect summary\n  candles                {} ({} backfilled, {} reconnects)\n  "
          "sent to redis          {} of {} ({} dropped, {} unsent, {} redis reconnects)\n",
          c.candles, c.backfilled_candles, c.reconnects, p.sent, p.published, p.dropped, p.unsent,
          p.reconnects);
    if (!error.empty()) {
      std::cerr << cmd << ": market data failed: " << error << "\n";
      return 1;
    }
    if (p.unsent) {
      std::cerr << cmd << ": " << p.unsent << " events were never written to redis "
                << po.endpoint.describe() << "\n";
      return 1;
    }
    return 0;
  } catch (...) {
    return report_error(cmd);
  }
}

struct StrategyRoleFlags {
  RoleFlags role;
  StrategyFlags strategy;
  std::string group = "strategies";
  std::string member;
  bool interval_given = false;  // --interval on the command line: only candles of that interval
};

int run_strategy(const StrategyRoleFlags& f) {
  const char* cmd = "tradebus strategy";
  try {
    StopWait stop_wait;
    const auto rc = f.role.redis_config(cmd);
    const auto symbols = split_symbols(f.role.symbols);
    BacktestConfig cfg;
    if (!f.role.config.empty()) cfg = load_backtest_config(f.role.config);
    f.strategy.apply_to(cfg);
    cfg.validate();
    const auto registry = StrategyRegistry::with_builtins();
    const auto specs = cfg.strategies;
    // Built once here so that a bad parameter fails before joining the group.
    for (const auto& spec : specs)
      registry.create(spec.name, spec.id, StrategyParams(spec.name, spec.params));

    redis::StrategyMemberOptions mo;
    mo.endpoint = redis::parse_redis_url(rc.url);
    mo.names.prefix = rc.prefix;
    mo.group = f.group;
    mo.member = f.member.empty() ? fmt::format("{}-{}", host_name(), ::getpid()) : f.member;
    mo.symbols = symbols;
    if (f.interval_given) {
      if (!interval_length_ms(f.role.interval))
        throw ConfigError(fmt::format("--interval: '{}' is not a Binance kline interval ({})",
                                      f.role.interval, interval_names()));
      mo.interval = f.role.interval;
    }
    mo.lease = rc.claim_idle;
    mo.max_pending = rc.max_pending;
    mo.history = rc.market_data_maxlen;
    mo.make_strategies = [registry, specs] {
      std::vector<std::shared_ptr<Strategy>> out;
      for (const auto& spec : specs)
        out.push_back(registry.create(spec.name, spec.id, StrategyParams(spec.name, spec.params)));
      return out;
    };
    redis::StrategyGroupMember member(mo);
    member.start();
    const auto t0 = std::chrono::steady_clock::now();
    const bool interrupted =
        stop_wait.wait(f.role.duration_s, [&] { return !member.failure().empty(); });
    const auto owned = member.owned_symbols();
    member.stop();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto s = member.stats();
    std::string owned_json;
    for (const auto& o : owned)
      owned_json += fmt::format("{}\"{}\"", owned_json.empty() ? "" : ",", json_escape(o));
    if (f.role.json)
      std::cout
          << fmt::format(
                 R"({{"role":"strategy","group":"{}","member":"{}","candles":{},"signals":{},"batches":{},"takeovers":{},"released":{},"leases_lost":{},"claimed":{},"warmup_candles":{},"malformed":{},"duplicates_skipped":{},"other_interval":{},"gaps":{},"backpressure_waits":{},"redis_reconnects":{},"owned_at_exit":[{}],"elapsed_s":{:.3f},"interrupted":{}}})",
                 json_escape(mo.group), json_escape(mo.member), s.candles, s.signals, s.batches,
                 s.takeovers, s.released, s.leases_lost, s.claimed, s.warmup_candles, s.malformed,
                 s.duplicates_skipped, s.other_interval, s.gaps, s.backpressure_waits, s.reconnects,
                 owned_json, elapsed, interrupted)
          << std::endl;
    else
      std::cout << fmt::format(
          "Strategy member {} of group {}\n  candles / signals      {} / {}\n  symbols taken / "
          "handed over  {} / {} ({} entries claimed, {} candles replayed)\n  malformed / "
          "duplicates / gaps  {} / {} / {}\n",
          mo.member, mo.group, s.candles, s.signals, s.takeovers, s.released, s.claimed,
          s.warmup_candles, s.malformed, s.duplicates_skipped, s.gaps);
    if (const auto failure = member.failure(); !failure.empty()) {
      std::cerr << cmd << ": " << failure << "\n";
      return 1;
    }
    return 0;
  } catch (...) {
    return report_error(cmd);
  }
}

}  // namespace

void add_scale_out_commands(CLI::App& app, int& exit_code) {
  auto collect = std::make_shared<RoleFlags>();
  auto* c = app.add_subcommand(
      "collect", "Scale-out role: Binance klines -> Redis streams {prefix}:md:{SYMBOL}");
  collect->add_to(c, "");
  c->add_option("--max-candles", collect->max_candles, "stop after this many closed candles");
  c->callback([collect, &exit_code] { exit_code = run_collect(*collect); });

  auto strategy = std::make_shared<StrategyRoleFlags>();
  auto* s = app.add_subcommand(
      "strategy",
      "Scale-out role: a strategy group member; candles from Redis -> signals to the executor");
  strategy->role.add_to(s, " (accepted so that every role takes one flag set; unused here)");
  // Given, --interval keeps the member to candles of that interval; absent, it takes any.
  s->get_option("--interval")
      ->description("only candles of this kline interval reach the strategies (default: any)");
  strategy->strategy.add_to(s, "unused by this role (sizing is the executor's)");
  s->add_option("--group", strategy->group, "consumer group the members share (strategies)");
  s->add_option("--member", strategy->member,
                "this member's name, unique in the group "
                "(host-pid); reuse it to resume after a restart");
  s->callback([strategy, s, &exit_code] {
    strategy->interval_given = s->get_option("--interval")->count() > 0;
    exit_code = run_strategy(*strategy);
  });
}

}  // namespace tradebus::cli
