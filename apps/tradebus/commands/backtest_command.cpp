// `tradebus backtest`: replay market data through the engine and report how strategies did.
#include <unistd.h>
#include <cstdio>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "journal_flags.hpp"
#include "progress_line.hpp"
#include "serve_flags.hpp"
#include "strategy_flags.hpp"
#include "tradebus/backtest/atomic_file.hpp"
#include "tradebus/backtest/backtest_config.hpp"
#include "tradebus/backtest/backtest_report.hpp"
#include "tradebus/backtest/backtest_runner.hpp"
#include "tradebus/marketdata/data_error.hpp"
#include "tradebus/strategies/strategy_params.hpp"

namespace tradebus::cli {
namespace {

struct BacktestFlags {
  std::vector<std::string> data;
  std::string config;
  StrategyFlags strategy;
  JournalFlags journal;
  ServeFlags serve;
  std::string report, trades;
  std::optional<double> speed;
  std::optional<std::uint64_t> seed, synthetic_candles;
  bool json = false;
  bool no_progress = false;
};

BacktestConfig build_backtest_config(const BacktestFlags& f) {
  BacktestConfig cfg;
  if (!f.config.empty()) cfg = load_backtest_config(f.config);
  if (!f.data.empty()) {
    cfg.data.clear();
    for (const auto& d : f.data)
      cfg.data.push_back(BacktestConfig::parse_data_arg(d));
  }
  f.strategy.apply_to(cfg);
  if (!f.report.empty()) cfg.report_path = f.report;
  if (!f.trades.empty()) cfg.trades_path = f.trades;
  if (f.speed) cfg.speed = *f.speed;
  if (f.seed) cfg.synthetic.seed = *f.seed;
  if (f.synthetic_candles) cfg.synthetic.candles_per_symbol = *f.synthetic_candles;
  cfg.validate();
  return cfg;
}

int run_backtest_command(const BacktestFlags& f) {
  try {
    BacktestConfig cfg = build_backtest_config(f);
    // Open the report's temporary file first: an unwritable path fails before the run.
    std::optional<AtomicFile> report;
    if (!cfg.report_path.empty()) report.emplace(cfg.report_path);

    const auto journal = f.journal.make();
    BacktestHooks hooks;
    hooks.observer = journal.get();
    ServedRun served;
    ServeFlags serve = f.serve;
    if (!serve.enabled()) serve.serve = cfg.serve;  // the flag wins over the config file
    if (serve.enabled()) {
      serve.options();  // a bad address fails before the run
      hooks.on_engine = [&](TradingEngine& engine, std::shared_ptr<const Portfolio> portfolio,
                            std::shared_ptr<const Exchange> exchange) {
        served.start(serve, engine, std::move(portfolio), std::move(exchange), cfg.quote_currency,
                     "tradebus backtest");
      };
      hooks.after_run = [&] { served.server->stop(); };
    }
    ProgressLine bar(!f.no_progress && ::isatty(STDERR_FILENO));
    BacktestResult r = run_backtest(
        cfg, [&](double fraction, std::uint64_t candles) { bar.update(fraction, candles); },
        StrategyRegistry::with_builtins(), hooks);
    bar.finish();
    if (journal) {
      journal->writer().close();
      if (journal->failed()) throw JournalError("the journal stopped early (see the log)");
    }

    if (report) {
      report->stream() << render_backtest_report(r, cfg);
      report->commit();
    }
    if (f.json) {
      std::cout << to_json(r, cfg) << std::endl;
    } else {
      std::cout << to_text(r);
      if (!cfg.report_path.empty())
        std::cout << "  report                 " << cfg.report_path << "\n";
      if (!cfg.trades_path.empty())
        std::cout << "  trades CSV             " << cfg.trades_path << "\n";
    }
    return r.interrupted ? 130 : 0;
  } catch (const ConfigError& e) {
    std::cerr << "tradebus backtest: config error: " << e.what() << "\n";
  } catch (const DataError& e) {
    std::cerr << "tradebus backtest: data error: " << e.what() << "\n";
  } catch (const StrategyParamError& e) {
    std::cerr << "tradebus backtest: strategy error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "tradebus backtest: error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

}  // namespace

void add_backtest_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<BacktestFlags>();
  auto* cmd = app.add_subcommand("backtest", "Replay market data through the engine and report");
  cmd->add_option("--data", flags->data,
                  "SYMBOL=PATH of a Binance kline CSV (repeatable; PATH may be a quoted glob "
                  "pattern such as 'data/BTCUSDT-1m-*.csv'); none: the synthetic market");
  cmd->add_option("--config", flags->config, "TOML config file (flags override it)");
  flags->strategy.add_to(cmd, "starting cash in the quote currency (10000)");
  flags->journal.add_to(cmd);
  flags->serve.add_to(cmd);
  cmd->add_option("--report", flags->report, "write a self-contained HTML report here");
  cmd->add_option("--trades", flags->trades, "write every fill as CSV here");
  cmd->add_option("--speed", flags->speed, "pace the replay at N x market time (0: full speed)");
  cmd->add_option("--seed", flags->seed, "synthetic market seed (42)");
  cmd->add_option("--synthetic-candles", flags->synthetic_candles,
                  "synthetic candles per symbol (20000)");
  cmd->add_flag("--json", flags->json, "print one JSON object with the results");
  cmd->add_flag("--no-progress", flags->no_progress, "no progress bar on a terminal");
  cmd->callback([flags, &exit_code] { exit_code = run_backtest_command(*flags); });
}

}  // namespace tradebus::cli
