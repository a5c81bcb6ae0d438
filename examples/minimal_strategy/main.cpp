// A user's own strategy, backtested with tradebus on its synthetic market or on Binance files:
//   minimal_strategy [SYMBOL=PATH ...]
// It buys after three rising closes and sells after three falling ones, per symbol.
#include <cstdio>
#include <map>
#include <memory>

#include <tradebus/tradebus.hpp>

namespace {

class ThreeInARow final : public tradebus::Strategy {
 public:
  std::string_view id() const override { return "three_in_a_row"; }

  void on_candle(const tradebus::Candle& c, tradebus::SignalSink& out) override {
    State& s = states_[c.symbol];
    const int dir = s.has_last ? (c.close > s.last) - (c.close < s.last) : 0;
    s.run = (dir != 0 && dir == s.dir) ? s.run + 1 : 1;
    s.dir = dir;
    s.last = c.close;
    s.has_last = true;
    if (dir == 0 || s.run != 3) return;
    tradebus::Signal sig;
    sig.strategy_id = "three_in_a_row";
    sig.symbol = c.symbol;
    sig.direction = dir > 0 ? tradebus::Side::buy : tradebus::Side::sell;
    sig.reference_price = c.close;
    sig.time_ns = c.close_time_ns;
    sig.reason = "three closes in a row";
    out.emit(sig);
  }

 private:
  struct State {
    tradebus::Price last;
    bool has_last = false;
    int dir = 0;
    int run = 0;
  };
  std::map<tradebus::Symbol, State> states_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace tradebus;
  BacktestConfig cfg;
  for (int i = 1; i < argc; ++i)
    cfg.data.push_back(BacktestConfig::parse_data_arg(argv[i]));
  cfg.synthetic.candles_per_symbol = 5000;
  cfg.validate();

  // The same engine pieces the CLI uses, with our strategy plugged in.
  StrategyRegistry registry = StrategyRegistry::with_builtins();
  registry.add("three_in_a_row", "buy/sell after three closes in one direction",
               [](std::string, const StrategyParams&) { return std::make_unique<ThreeInARow>(); });
  cfg.strategies = {{"three_in_a_row", "", {}}};
  const BacktestResult r = run_backtest(cfg, {}, registry);
  std::fputs(to_text(r).c_str(), stdout);
  return 0;
}
