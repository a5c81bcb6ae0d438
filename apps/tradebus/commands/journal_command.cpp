// `tradebus journal cat` prints a journal as JSON lines; `tradebus replay` feeds a journal's
// candles through a fresh engine and checks that the same signals and orders come out.
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "strategy_flags.hpp"
#include "tradebus/backtest/backtest_runner.hpp"
#include "tradebus/marketdata/candle_list_source.hpp"
#include "tradebus/model/event_json.hpp"
#include "tradebus/persistence/event_journal.hpp"
#include "tradebus/strategies/strategy_params.hpp"

namespace tradebus::cli {
namespace {

struct CatFlags {
  std::string dir;
  std::vector<std::string> types;
};

int cat(const CatFlags& f) {
  try {
    JournalReader reader(f.dir);
    Event e;
    std::uint64_t n = 0;
    while (reader.next(e)) {
      bool wanted = f.types.empty();
      for (const auto& t : f.types)
        wanted = wanted || to_string(e.type) == t;
      if (!wanted) continue;
      std::cout << to_json(e) << '\n';
      ++n;
    }
    std::cout.flush();
    if (reader.torn_tail_bytes() > 0)
      std::cerr << fmt::format(
          "tradebus journal cat: the last {} bytes are an incomplete record "
          "(a crash mid-write); everything before it was printed\n",
          reader.torn_tail_bytes());
    return 0;
  } catch (const JournalError& e) {
    std::cerr << "tradebus journal cat: " << e.what() << "\n";
    return 1;
  }
}

// Collects what a replay produces, on the loop thread.
class Produced final : public BusObserver {
 public:
  void on_dispatch(const Event& e) override {
    if (e.type == EventType::signal_generated) signals.push_back(e.as<Signal>());
    if (e.type == EventType::order_created) orders.push_back(e.as<Order>());
  }
  std::vector<Signal> signals;
  std::vector<Order> orders;
};

// Order ids carry a per-run prefix; everything else must be equal.
bool same_order(const Order& a, const Order& b) {
  return a.symbol == b.symbol && a.strategy_id == b.strategy_id && a.side == b.side &&
         a.type == b.type && a.time_in_force == b.time_in_force && a.quantity == b.quantity &&
         a.limit_price == b.limit_price && a.reference_price == b.reference_price &&
         a.created_ns == b.created_ns;
}

struct ReplayFlags {
  std::string dir, config;
  StrategyFlags strategy;
  bool json = false;
};

int replay(const ReplayFlags& f) {
  try {
    JournalReader reader(f.dir);
    std::vector<Candle> candles;
    std::vector<Signal> signals;
    std::vector<Order> orders;
    std::vector<std::string> symbols;
    Event e;
    while (reader.next(e)) {
      if (e.type == EventType::candle_closed) {
        candles.push_back(e.as<Candle>());
        const std::string s(candles.back().symbol.view());
        if (std::find(symbols.begin(), symbols.end(), s) == symbols.end()) symbols.push_back(s);
      } else if (e.type == EventType::signal_generated) {
        signals.push_back(e.as<Signal>());
      } else if (e.type == EventType::order_created) {
        orders.push_back(e.as<Order>());
      }
    }
    if (candles.empty()) throw JournalError(f.dir + ": the journal holds no CANDLE_CLOSED events");
    BacktestConfig cfg;
    if (!f.config.empty()) cfg = load_backtest_config(f.config);
    f.strategy.apply_to(cfg);
    Produced produced;
    BacktestHooks hooks;
    hooks.source = std::make_shared<CandleListSource>(std::move(candles), "journal");
    hooks.symbols = symbols;
    hooks.observer = &produced;
    const BacktestResult r = run_backtest(cfg, {}, StrategyRegistry::with_builtins(), hooks);

    std::string diff;
    const std::size_t ns = std::min(signals.size(), produced.signals.size());
    for (std::size_t i = 0; i < ns && diff.empty(); ++i)
      if (!(signals[i] == produced.signals[i]))
        diff = fmt::format("signal #{} differs: recorded {}, replayed {}", i + 1,
                           to_json(signals[i]), to_json(produced.signals[i]));
    if (diff.empty() && signals.size() != produced.signals.size())
      diff =
          fmt::format("recorded {} signals, replayed {}", signals.size(), produced.signals.size());
    const std::size_t no = std::min(orders.size(), produced.orders.size());
    for (std::size_t i = 0; i < no && diff.empty(); ++i)
      if (!same_order(orders[i], produced.orders[i]))
        diff = fmt::format("order #{} differs: recorded {}, replayed {}", i + 1, to_json(orders[i]),
                           to_json(produced.orders[i]));
    if (diff.empty() && orders.size() != produced.orders.size())
      diff = fmt::format("recorded {} orders, replayed {}", orders.size(), produced.orders.size());

    if (f.json)
      std::cout
          << fmt::format(
                 R"({{"candles":{},"signals":{},"orders":{},"identical":{},"difference":"{}"}})",
                 r.candles, produced.signals.size(), produced.orders.size(), diff.empty(),
                 json_escape(diff))
          << std::endl;
    else if (diff.empty())
      std::cout << fmt::format(
          "identical: {} candles replayed, {} signals and {} orders as "
          "recorded\n",
          r.candles, signals.size(), orders.size());
    else
      std::cout << "different: " << diff << "\n";
    return diff.empty() ? 0 : 1;
  } catch (const JournalError& e) {
    std::cerr << "tradebus replay: " << e.what() << "\n";
    return 2;
  } catch (const ConfigError& e) {
    std::cerr << "tradebus replay: config error: " << e.what() << "\n";
    return 2;
  } catch (const StrategyParamError& e) {
    std::cerr << "tradebus replay: strategy error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

void add_journal_commands(CLI::App& app, int& exit_code) {
  auto* journal = app.add_subcommand("journal", "Read an event journal");
  journal->require_subcommand(1);
  auto cf = std::make_shared<CatFlags>();
  auto* cat_cmd = journal->add_subcommand("cat", "Print every record as one JSON line");
  cat_cmd->add_option("dir", cf->dir, "journal directory")->required();
  cat_cmd->add_option("--type", cf->types, "only these types (CANDLE_CLOSED, ORDER_FILLED, ...)");
  cat_cmd->callback([cf, &exit_code] { exit_code = cat(*cf); });

  auto rf = std::make_shared<ReplayFlags>();
  auto* rp = app.add_subcommand(
      "replay", "Feed a journal's candles through a fresh engine; check signals and orders");
  rp->add_option("dir", rf->dir, "journal directory")->required();
  rp->add_option("--config", rf->config, "TOML config of the recorded run");
  rf->strategy.add_to(rp, "starting cash (10000)");
  rp->add_flag("--json", rf->json, "print one JSON object");
  rp->callback([rf, &exit_code] { exit_code = replay(*rf); });
}

}  // namespace tradebus::cli
