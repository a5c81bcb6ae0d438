#include "tradebus/backtest/backtest_config.hpp"

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/test_paths.hpp"

using namespace tradebus;
using namespace tradebus::literals;

namespace {
std::string config_error(const std::string& toml) {
  const auto dir = test::scratch_dir("cfg");
  const auto path = test::write_file(dir + "/c.toml", toml);
  try {
    auto cfg = load_backtest_config(path);
    cfg.validate();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(BacktestConfig, LoadsEveryKey) {
  const auto dir = test::scratch_dir("cfg_all");
  const auto path = test::write_file(dir + "/c.toml", R"(
data = ["BTCUSDT=/data/BTCUSDT-1m.csv", "/data/ETHUSDT-1m-2020.csv"]
capital = "2500.5"
quantity = 0.02
fee_bps = 7
slippage_bps = 3
max_position = "1"
max_notional = 50000
report = "r.html"
trades = "t.csv"
speed = 60.0
report_points = 300
serve = "127.0.0.1:9100"
[[strategies]]
name = "sma_cross"
id = "fast_sma"
fast = 5
slow = 20
[[strategies]]
name = "rsi_reversion"
params = { period = 10, oversold = 25 }
[synthetic]
seed = 9
candles = 100
symbols = ["AAAUSDT:10", "BBBUSDT:20.5"]
)");
  auto cfg = load_backtest_config(path);
  ASSERT_EQ(cfg.data.size(), 2u);
  EXPECT_EQ(cfg.data[0].symbol, "BTCUSDT");
  EXPECT_EQ(cfg.data[1].symbol, "");
  EXPECT_EQ(cfg.capital, "2500.5"_d);
  EXPECT_EQ(cfg.quantity, "0.02"_d);
  EXPECT_EQ(cfg.fee_bps, 7);
  EXPECT_EQ(cfg.slippage_bps, 3);
  EXPECT_EQ(cfg.max_position, "1"_d);
  EXPECT_EQ(cfg.max_notional, "50000"_d);
  EXPECT_EQ(cfg.report_path, "r.html");
  EXPECT_EQ(cfg.trades_path, "t.csv");
  EXPECT_DOUBLE_EQ(cfg.speed, 60.0);
  EXPECT_EQ(cfg.report_points, 300u);
  EXPECT_EQ(cfg.serve, "127.0.0.1:9100");
  ASSERT_EQ(cfg.strategies.size(), 2u);
  EXPECT_EQ(cfg.strategies[0].id, "fast_sma");
  EXPECT_EQ(cfg.strategies[0].params.at("fast"), "5");
  EXPECT_EQ(cfg.strategies[1].params.at("period"), "10");
  EXPECT_EQ(cfg.synthetic.seed, 9u);
  EXPECT_EQ(cfg.synthetic.symbols[1].start_price, "20.5");
  cfg.validate();
  EXPECT_EQ(cfg.quote_currency, "USDT");
}

TEST(BacktestConfig, NamesTheFileLineAndKeyOfEveryMistake) {
  EXPECT_NE(config_error("capitl = 5\n").find("c.toml:1: capitl: unknown key"), std::string::npos);
  EXPECT_NE(config_error("\n\nfee_bps = \"ten\"\n").find("c.toml:3: fee_bps: expected an integer"),
            std::string::npos);
  EXPECT_NE(config_error("fee_bps = 20000\n").find("outside [0, 10000]"), std::string::npos);
  EXPECT_NE(config_error("quantity = \"0.0.1\"\n").find("quantity: '0.0.1' is not a decimal"),
            std::string::npos);
  EXPECT_NE(config_error("capital = = 5\n").find("c.toml:1:"), std::string::npos);
  EXPECT_NE(config_error("data = [\"=x\"]\n").find("expected SYMBOL=PATH"), std::string::npos);
  EXPECT_NE(config_error("quantity = \"-1\"\n").find("quantity must be positive"),
            std::string::npos);
  EXPECT_NE(config_error("[synthetic]\nseeds = 1\n").find("synthetic.seeds: unknown key"),
            std::string::npos);
  EXPECT_NE(config_error("data = [\"BTCUSDT=a.csv\", \"SOLBTC=b.csv\"]\n")
                .find("quote different currencies"),
            std::string::npos);
}

TEST(BacktestConfig, MissingFileIsAClearError) {
  try {
    load_backtest_config("/nonexistent/config.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/config.toml"), std::string::npos);
  }
}

TEST(BacktestConfig, ParsesDataAndParamArguments) {
  EXPECT_EQ(BacktestConfig::parse_data_arg("BTCUSDT=/x/y.csv").path, "/x/y.csv");
  EXPECT_EQ(BacktestConfig::parse_data_arg("/x/BTCUSDT-1m.csv").symbol, "");
  EXPECT_THROW(BacktestConfig::parse_data_arg("btc=/x.csv"), ConfigError);
  EXPECT_EQ(BacktestConfig::parse_param_arg("fast=5"),
            (std::pair<std::string, std::string>{"fast", "5"}));
  EXPECT_THROW(BacktestConfig::parse_param_arg("fast"), ConfigError);
}
