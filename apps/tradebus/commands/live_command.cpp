// `tradebus paper` and `tradebus live`: the backtest's engine, strategies and order manager fed
// by live Binance klines; orders go to the paper exchange or, with --confirm-live, to Binance.
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "held_signals.hpp"
#include "journal_flags.hpp"
#include "kline_collector_flags.hpp"
#include "redis_flags.hpp"
#include "serve_flags.hpp"
#include "state_flags.hpp"
#include "strategy_flags.hpp"
#include "symbols_flag.hpp"
#include "tradebus/adapters/binance/binance_exchange.hpp"
#include "tradebus/adapters/binance/kline_collector.hpp"
#include "tradebus/adapters/binance/request_signer.hpp"
#include "tradebus/adapters/binance/rest_client.hpp"
#include "tradebus/backtest/backtest_config.hpp"
#include "tradebus/backtest/trades_csv.hpp"
#include "tradebus/bus/bus_observer_list.hpp"
#include "tradebus/engine/trading_engine.hpp"
#include "tradebus/execution/default_order_manager.hpp"
#include "tradebus/execution/paper_exchange.hpp"
#include "tradebus/marketdata/kline_csv_writer.hpp"
#include "tradebus/model/event_json.hpp"
#include "tradebus/model/time_format.hpp"
#include "tradebus/observability/binance_metrics.hpp"
#include "tradebus/persistence/dead_letter_store.hpp"
#include "tradebus/persistence/order_outbox.hpp"
#include "tradebus/persistence/persistent_paper_exchange.hpp"
#include "tradebus/strategies/strategy_params.hpp"
#include "tradebus/strategies/strategy_registry.hpp"
#include "tradebus/transport/redis/redis_event_publisher.hpp"
#include "tradebus/transport/redis/redis_stream_source.hpp"
#include "tradebus/transport/redis/stream_wire.hpp"

namespace tradebus::cli {
namespace {

struct LiveFlags {
  bool live = false;
  bool execute = false;  // the scale-out executor: signals and candles from Redis
  RedisFlags redis;
  std::string group = "execute";
  std::string member = "executor";
  std::string symbols;
  std::string interval = "1m";
  std::string config;
  StrategyFlags strategy;
  JournalFlags journal;
  StateFlags state;
  ServeFlags serve;
  std::string ws_url{binance::kBinanceWsUrl};
  std::string rest_url{binance::kBinanceRestUrl};
  std::uint64_t max_candles = 0;
  double duration_s = 0;
  bool json = false;
  std::string trades, record_klines;
  bool confirm_live = false;
  std::string key_file;
  std::string ca_file;
  std::int64_t recv_window_ms = 5000;
  std::int64_t timeout_ms = 5000;
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

BacktestConfig build_live_config(const LiveFlags& f, const std::vector<std::string>& symbols) {
  BacktestConfig cfg;
  if (!f.config.empty()) cfg = load_backtest_config(f.config);
  f.strategy.apply_to(cfg);
  cfg.validate();
  // The quote currency comes from the live symbols, not from the backtest data.
  const auto quote = quote_asset_of(symbols.front());
  if (!quote) throw ConfigError(fmt::format("symbol {}: unknown quote currency", symbols.front()));
  for (const auto& s : symbols)
    if (quote_asset_of(s) != quote)
      throw ConfigError(fmt::format(
          "symbols {} and {} have different quote currencies; one run trades one quote currency",
          symbols.front(), s));
  cfg.quote_currency = std::string(*quote);
  return cfg;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  while (!s.empty() && s.front() == ' ')
    s.erase(s.begin());
  return s;
}

// The key and secret: from BINANCE_API_KEY/BINANCE_API_SECRET, or a file (key on the first line,
// secret on the second) that only its owner may read.
std::pair<std::string, std::string> load_keys(const std::string& key_file) {
  if (key_file.empty()) {
    const char* k = std::getenv("BINANCE_API_KEY");
    const char* s = std::getenv("BINANCE_API_SECRET");
    if (!k || !*k || !s || !*s)
      throw UsageError(
          "live trading needs BINANCE_API_KEY and BINANCE_API_SECRET in the environment, or "
          "--key-file");
    return {k, s};
  }
  struct stat st {};
  if (::stat(key_file.c_str(), &st) != 0)
    throw UsageError(fmt::format("--key-file {}: cannot read it", key_file));
  if ((st.st_mode & 077) != 0)
    throw UsageError(
        fmt::format("--key-file {}: readable by others (mode {:04o}); run chmod 600 {} first",
                    key_file, st.st_mode & 0777, key_file));
  std::ifstream in(key_file);
  std::string k, s;
  std::getline(in, k);
  std::getline(in, s);
  k = trim(k);
  s = trim(s);
  if (k.empty() || s.empty())
    throw UsageError(fmt::format(
        "--key-file {}: expected the API key on line 1 and the secret on line 2", key_file));
  return {k, s};
}

// Appends every closed candle to DIR/SYMBOL-INTERVAL.csv in the data-dump layout.
class KlineRecorder {
 public:
  explicit KlineRecorder(std::string dir) : dir_(std::move(dir)) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw UsageError(fmt::format("--record-klines {}: {}", dir_, ec.message()));
  }
  void record(const Candle& c) {
    const std::string path = fmt::format("{}/{}-{}.csv", dir_, c.symbol.view(), c.interval.view());
    auto it = files_.find(path);
    if (it == files_.end()) {
      it = files_.emplace(path, std::ofstream(path, std::ios::app)).first;
      if (!it->second) throw std::runtime_error(fmt::format("cannot write {}", path));
    }
    write_kline_csv_row(it->second, c);
    it->second.flush();  // a crash loses no recorded candle
  }

 private:
  std::string dir_;
  std::map<std::string, std::ofstream> files_;
};

std::string json_positions(const Portfolio& p) {
  std::string out;
  for (const auto& [sym, pos] : p.positions())
    out += fmt::format("{}\"{}\":{}", out.empty() ? "" : ",", json_escape(sym.view()),
                       pos.quantity.to_string());
  return "{" + out + "}";
}

int run_live_command(const LiveFlags& f) {
  const char* cmd = f.execute ? "tradebus execute" : f.live ? "tradebus live" : "tradebus paper";
  const char* mode = f.execute ? "execute" : f.live ? "live" : "paper";
  // Before any thread: a Ctrl-C during start-up (exchangeInfo, state, recovery) then stops the
  // run cleanly once the engine takes it, with the summary.
  const HeldSignals held;
  try {
    if (f.live && !f.confirm_live)
      throw UsageError(
          "refusing to trade real money without --confirm-live (use `tradebus paper` to try "
          "a strategy on live data with the paper exchange)");
    if (f.duration_s < 0) throw ConfigError("--duration must not be negative");
    const auto symbols = split_symbols(f.symbols);
    BacktestConfig cfg = build_live_config(f, symbols);
    ServeFlags serve = f.serve;
    if (!serve.enabled()) serve.serve = cfg.serve;  // the flag wins over the config file
    if (serve.enabled()) serve.options();           // a bad address fails before anything starts
    const auto registry = StrategyRegistry::with_builtins();
    const auto redis_cfg = f.redis.resolve(f.config);
    if (f.execute && redis_cfg.url.empty())
      throw ConfigError("tradebus execute needs --redis URL (or url in the config's [redis])");
    std::vector<std::shared_ptr<Strategy>> strategies;
    if (!f.execute)  // the executor's signals come from the strategy group
      for (const auto& spec : cfg.strategies)
        strategies.push_back(
            registry.create(spec.name, spec.id, StrategyParams(spec.name, spec.params)));

    std::shared_ptr<binance::KlineCollector> collector;
    std::shared_ptr<redis::RedisStreamSource> source;
    if (!f.execute)  // the executor's candles come from Redis
      collector =
          make_kline_collector(symbols, f.interval, f.ws_url, f.rest_url, f.ca_file, f.max_candles);

    std::pair<std::string, std::string> keys;
    if (f.live) {
      keys = load_keys(f.key_file);
      if (f.state.none) throw UsageError("live trading needs a state directory");
    }
    // The state directory before any order: a second process on it, or one we cannot write,
    // stops us here.
    const auto state = f.state.open();
    if (state) {
      require_same_setting(*state, "mode", f.live ? "live" : "paper", "mode");
      require_same_setting(*state, "capital", cfg.capital.to_string(), "--capital");
    }

    // Trading rules (tick, step, minimum notional) come from exchangeInfo in both modes, so a
    // paper run refuses the same orders live trading would.
    std::shared_ptr<binance::BinanceExchange> live_exchange;
    std::shared_ptr<const OrderRules> rules;
    std::shared_ptr<Exchange> exchange;
    if (f.live) {
      auto& [key, secret] = keys;
      binance::BinanceExchangeOptions eo;
      eo.rest_url = f.rest_url;
      eo.api_key = key;
      eo.signer = std::make_shared<binance::RequestSigner>(std::move(secret));
      eo.recv_window = std::chrono::milliseconds(f.recv_window_ms);
      eo.timeout = std::chrono::milliseconds(f.timeout_ms);
      eo.ca_file = f.ca_file;
      live_exchange = std::make_shared<binance::BinanceExchange>(eo);
      live_exchange->connect(symbols);
      rules = live_exchange->rules();
      exchange = live_exchange;
    } else {
      binance::RestClientOptions ro;
      ro.url = f.rest_url;
      ro.ca_file = f.ca_file;
      binance::RestClient rest(ro);
      std::string list;
      for (const auto& s : symbols)
        list += fmt::format("{}\"{}\"", list.empty() ? "" : ",", s);
      binance::RestResponse r;
      try {
        r = rest.get("/api/v3/exchangeInfo", "symbols=" + binance::url_encode("[" + list + "]"));
      } catch (const binance::RestUnknownError& e) {
        throw std::runtime_error(fmt::format("GET /api/v3/exchangeInfo: {}", e.what()));
      }
      if (!r.ok()) throw std::runtime_error("GET /api/v3/exchangeInfo: " + r.describe());
      rules = std::make_shared<binance::ExchangeRules>(binance::parse_exchange_info(r.body));
      const PaperExchangeOptions po = cfg.paper_exchange_options();
      if (state)
        exchange = std::make_shared<PersistentPaperExchange>(state, po);
      else
        exchange = std::make_shared<PaperExchange>(po);
    }

    std::optional<std::ofstream> trades;
    if (!f.trades.empty()) {
      const bool fresh = !std::filesystem::exists(f.trades);
      trades.emplace(f.trades, std::ios::app);
      if (!*trades) throw UsageError(fmt::format("--trades {}: cannot write it", f.trades));
      if (fresh) write_trades_csv_header(*trades);
    }
    std::optional<KlineRecorder> recorder;
    if (!f.record_klines.empty()) recorder.emplace(f.record_klines);

    const auto journal = f.journal.make();
    EngineOptions eo;
    eo.bus.handler_attempts = f.state.handler_attempts;
    TradingEngine engine(eo);
    std::unique_ptr<DeadLetterStore> dead_letters;
    BusObserverList observers;
    observers.add(journal.get());
    if (state) {
      engine.set_order_store(std::make_shared<OrderOutbox>(state, f.state.outbox_options()));
      dead_letters = std::make_unique<DeadLetterStore>(state);
      observers.add(dead_letters.get());
      engine.add_start_hook([&] {
        const auto r = dead_letters->retry_marked(engine.bus(), std::chrono::seconds(30));
        if (r.delivered + r.failed)
          spdlog::info("dead letters retried: {} delivered, {} failed again", r.delivered,
                       r.failed);
      });
    }
    if (!observers.empty()) engine.bus().set_observer(&observers);
    auto portfolio = std::make_shared<Portfolio>(cfg.capital);
    OrderManagerOptions om = cfg.order_manager_options();
    om.rules = rules;
    // Ids unique across runs: Binance only refuses a repeated id while the first order is open.
    om.client_order_id_prefix =
        fmt::format("tb{}", std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
    engine.set_order_manager(std::make_shared<DefaultOrderManager>(om, portfolio));
    engine.set_exchange(exchange);
    std::unique_ptr<redis::RedisEventPublisher> publisher;
    if (!redis_cfg.url.empty()) {
      redis::StreamNames names{redis_cfg.prefix};
      const auto endpoint = redis::parse_redis_url(redis_cfg.url);
      const auto types = redis_cfg.publish.value_or(
          std::vector<EventType>{EventType::order_created, EventType::order_filled,
                                 EventType::order_rejected, EventType::order_canceled});
      if (!types.empty()) {
        redis::RedisPublisherOptions po;
        po.endpoint = endpoint;
        po.names = names;
        po.market_data_maxlen = redis_cfg.market_data_maxlen;
        publisher = std::make_unique<redis::RedisEventPublisher>(po);
        publisher->attach(engine.bus(), types);
        publisher->start();
      }
      if (f.execute) {
        redis::RedisSourceOptions so;
        so.endpoint = endpoint;
        so.stream = names.execution();
        so.group = f.group;
        so.consumer = f.member;
        so.claim_idle = redis_cfg.claim_idle;
        so.max_candles = f.max_candles;
        // XACK only once what the entries caused is handled and in the outbox on disk.
        so.ack_barrier = [&engine, store = state] {
          while (!engine.stop_requested())
            if (engine.bus().wait_idle(std::chrono::milliseconds(200))) {
              try {
                store->wait_durable();
                return true;
              } catch (const std::exception&) {
                return false;  // the engine stops on the store's failure
              }
            }
          return false;
        };
        source = std::make_shared<redis::RedisStreamSource>(so);
      }
    }
    if (source)
      engine.set_data_collector(source);
    else
      engine.set_data_collector(collector);
    for (auto& s : strategies)
      engine.add_strategy(std::move(s));
    if (recorder) engine.add_candle_observer([&](const Candle& c) { recorder->record(c); });
    if (trades)
      engine.bus().subscribe_sync(
          EventType::order_filled,
          [&](const Event& e) {
            write_trades_csv_row(*trades, e.as<Fill>());
            trades->flush();  // a crash loses no recorded fill
          },
          "cli.record_trade");

    ServedRun served;
    if (serve.enabled()) {
      if (collector) served.registry->add(binance_metrics(collector, live_exchange));
      served.start(serve, engine, portfolio, exchange, cfg.quote_currency,
                   fmt::format("tradebus {} {}", mode, f.symbols),
                   [collector, source, state, live_exchange] {
                     if (source) {
                       const auto rs = source->stats();
                       if (!rs.connected) return Readiness{false, "redis not connected"};
                       if (state && !state->failure().empty())
                         return Readiness{false, "state store failed: " + state->failure()};
                       return Readiness{true, fmt::format("reading redis, {} candles and {} "
                                                          "signals so far",
                                                          rs.candles, rs.signals)};
                     }
                     const auto s = collector->stats();
                     const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
                     if (s.last_connected_ns == 0)
                       return Readiness{false, "market data not connected"};
                     // Binance sends kline updates every ~2 s and the collector drops a
                     // connection silent for 60 s: a minute without a message is no data.
                     if (s.last_message_ns == 0 || now - s.last_message_ns > 65'000'000'000LL)
                       return Readiness{false, "no market data message for over a minute"};
                     if (live_exchange && !live_exchange->reachable())
                       return Readiness{false, "Binance REST did not answer the last request"};
                     if (state && !state->failure().empty())
                       return Readiness{false, "state store failed: " + state->failure()};
                     return Readiness{true,
                                      fmt::format("market data flowing, {} candles{}", s.candles,
                                                  state ? ", state store writable" : "")};
                   });
    }

    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::thread timer;
    if (f.duration_s > 0)
      timer = std::thread([&] {
        std::unique_lock lock(mu);
        if (!cv.wait_for(lock, std::chrono::duration<double>(f.duration_s), [&] { return done; }))
          engine.request_stop();
      });
    const auto t0 = std::chrono::steady_clock::now();
    std::string error = engine.run();
    {
      std::lock_guard lock(mu);
      done = true;
    }
    cv.notify_all();
    if (timer.joinable()) timer.join();
    if (live_exchange) live_exchange->stop();
    if (publisher) publisher->stop(std::chrono::seconds(10));
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    auto c = engine.counters();
    binance::KlineCollectorStats s;
    std::string redis_json;
    if (collector) s = collector->stats();
    if (source) {
      const auto r = source->stats();
      c.signals = r.signals;  // made by the strategy group, not by this engine
      s.reconnects = r.reconnects;
      s.malformed_messages = r.malformed;
      s.duplicates_skipped = r.duplicates_skipped;
      redis_json = fmt::format(
          R"(,"redis":{{"entries":{},"acknowledged":{},"claimed":{},"malformed":{},"duplicates_skipped":{},"reconnects":{},"trims":{}}})",
          r.entries, r.acknowledged, r.claimed, r.malformed, r.duplicates_skipped, r.reconnects,
          r.trims);
    }
    if (publisher) {
      const auto p = publisher->stats();
      redis_json += fmt::format(
          R"(,"redis_published":{{"sent":{},"dropped":{},"unsent":{},"reconnects":{}}})", p.sent,
          p.dropped, p.unsent, p.reconnects);
    }
    const auto rec = engine.recovery();
    if (f.json) {
      std::string exch;
      if (live_exchange) {
        const auto x = live_exchange->stats();
        exch = fmt::format(
            R"(,"exchange":{{"requests":{},"unknown_outcomes":{},"resubmits":{},"rate_limited":{},"clock_offset_ms":{}}})",
            x.requests, x.unknown_outcomes, x.resubmits, x.rate_limited, x.clock_offset.count());
      }
      exch += fmt::format(
          R"(,"repeated_signals":{},"recovery":{{"unfinished":{},"adopted":{},"resubmitted":{},"expired":{},"fills_recovered":{},"fills_replayed":{},"from_snapshot":{},"ms":{:.1f}}})",
          c.repeated_signals, rec.unfinished, rec.adopted, rec.resubmitted, rec.expired,
          rec.fills_recovered, rec.fills_replayed, rec.from_snapshot,
          static_cast<double>(rec.duration_ns) / 1e6);
      exch += redis_json;
      std::cout
          << fmt::format(
                 R"({{"mode":"{}","durability":"{}","candles":{},"signals":{},"orders":{},"fills":{},"rejected":{},"reconnects":{},"backfilled_candles":{},"malformed_messages":{},"duplicates_skipped":{},"backfill_failures":{},"positions":{},"cash":{},"equity":{},"realized_pnl":{},"fees":{},"quote_currency":"{}","elapsed_s":{:.3f},"interrupted":{}{}}})",
                 mode, f.state.none ? "none" : f.state.durability, c.candles, c.signals, c.orders,
                 c.fills, c.rejected, s.reconnects, s.backfilled_candles, s.malformed_messages,
                 s.duplicates_skipped, s.backfill_failures, json_positions(*portfolio),
                 portfolio->cash().to_string(), portfolio->equity().to_string(),
                 portfolio->realized_pnl().to_string(), portfolio->fees_paid().to_string(),
                 cfg.quote_currency, elapsed, engine.stop_requested(), exch)
          << std::endl;
    } else {
      std::cout << fmt::format(
          "{} summary\n  candles                {} ({} backfilled, {} reconnects, {} malformed "
          "messages)\n  signals / orders       {} / {}\n  fills / rejected       {} / {}\n  "
          "cash / equity          {} / {} {}\n",
          f.execute ? "Execute"
          : f.live  ? "Live"
                    : "Paper",
          c.candles, s.backfilled_candles, s.reconnects, s.malformed_messages, c.signals, c.orders,
          c.fills, c.rejected, portfolio->cash().to_string_fixed(2),
          portfolio->equity().to_string_fixed(2), cfg.quote_currency);
      for (const auto& [sym, pos] : portfolio->positions())
        std::cout << fmt::format("  position {:<14} {}\n", sym.view(), pos.quantity.to_string());
    }
    if (!error.empty()) {
      const bool store_failed = state && !state->failure().empty();
      std::cerr << cmd << ": " << (store_failed ? "" : "market data failed: ") << error << "\n";
      return 1;
    }
    return 0;
  } catch (const UsageError& e) {
    std::cerr << cmd << ": " << e.what() << "\n";
  } catch (const ConfigError& e) {
    std::cerr << cmd << ": config error: " << e.what() << "\n";
  } catch (const StrategyParamError& e) {
    std::cerr << cmd << ": strategy error: " << e.what() << "\n";
  } catch (const binance::EndpointError& e) {
    std::cerr << cmd << ": " << e.what() << "\n";
  } catch (const StateStoreError& e) {
    std::cerr << cmd << ": state: " << e.what() << "\n";
    return 1;
  } catch (const redis::RedisConfigError& e) {
    std::cerr << cmd << ": config error: " << e.what() << "\n";
  } catch (const MetricsServerError& e) {
    std::cerr << cmd << ": " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << cmd << ": error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

void add_mode(CLI::App& app, int& exit_code, bool live, bool execute = false) {
  auto f = std::make_shared<LiveFlags>();
  f->live = live;
  f->execute = execute;
  auto* cmd = app.add_subcommand(
      execute ? "execute"
      : live  ? "live"
              : "paper",
      execute ? "Scale-out role: signals and candles from Redis -> orders (paper exchange, or "
                "Binance with --live --confirm-live), durable outbox"
      : live  ? "Trade real money on Binance from live market data (needs --confirm-live)"
              : "Run strategies on live Binance market data with the paper exchange");
  cmd->add_option("--symbols", f->symbols, "comma-separated symbols, like BTCUSDT,ETHUSDT")
      ->required();
  cmd->add_option("--interval", f->interval, "kline interval (1m)");
  cmd->add_option("--config", f->config, "TOML config (strategies, quantity, risk; flags win)");
  f->strategy.add_to(cmd, "cash the risk checks assume (10000)");
  f->journal.add_to(cmd);
  f->state.add_to(cmd, !live && !execute, live ? "power" : "process");
  f->redis.add_to(cmd, execute);
  if (execute) {
    cmd->add_flag("--live", f->live, "send the orders to Binance (needs --confirm-live too)");
    cmd->add_option("--group", f->group, "consumer group of the execution stream (execute)");
    cmd->add_option("--member", f->member, "consumer name in that group (executor)");
  }
  f->serve.add_to(cmd);
  cmd->add_option("--ws-url", f->ws_url, "market data WebSocket base URL");
  cmd->add_option("--rest-url", f->rest_url, "REST API base URL");
  cmd->add_option("--ca-file", f->ca_file, "PEM CA bundle to trust instead of the system store");
  cmd->add_option("--max-candles", f->max_candles, "stop after this many closed candles");
  cmd->add_option("--duration", f->duration_s, "stop after this many seconds");
  cmd->add_flag("--json", f->json, "print one JSON summary object at the end");
  cmd->add_option("--trades", f->trades, "append every fill to this CSV");
  cmd->add_option("--record-klines", f->record_klines,
                  "append every closed candle to DIR/SYMBOL-INTERVAL.csv (data-dump layout)");
  if (live || execute) {
    cmd->add_flag("--confirm-live", f->confirm_live, "yes, send real orders");
    cmd->add_option("--key-file", f->key_file,
                    "file with the API key (line 1) and secret (line 2), mode 600");
    cmd->add_option("--recv-window-ms", f->recv_window_ms, "recvWindow of signed requests (5000)")
        ->check(CLI::Range(100, 60000));
    cmd->add_option("--timeout-ms", f->timeout_ms, "REST request time-out (5000)")
        ->check(CLI::Range(100, 120000));
  }
  auto* durability = cmd->get_option("--durability");
  cmd->callback([f, durability, &exit_code] {
    // An executor sending real orders gets live's default: fsync on every commit.
    if (f->execute && f->live && durability->count() == 0) f->state.durability = "power";
    exit_code = run_live_command(*f);
  });
}

}  // namespace

void add_live_commands(CLI::App& app, int& exit_code) {
  add_mode(app, exit_code, false);
  add_mode(app, exit_code, true);
  add_mode(app, exit_code, false, true);
}

}  // namespace tradebus::cli
