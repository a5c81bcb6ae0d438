// `tradebus backtest` as a user runs it: real files, --json, bad input and exit codes.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <regex>

#include <gtest/gtest.h>

#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/test_paths.hpp"
#include "tradebus/backtest/backtest_runner.hpp"

using namespace tradebus;

using test::field;
using test::run_cli;

TEST(BacktestCli, JsonOnRealDataMatchesTheLibraryExactly) {
  TRADEBUS_REQUIRE_SHARED(path, "klines_csv/spot_1m/BTCUSDT-1m-2020-01-01.csv");
  const auto r = run_cli("backtest --json --no-progress --data BTCUSDT=" + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1)
      << "exactly one JSON object: " << r.out;
  BacktestConfig cfg;
  cfg.data = {{"BTCUSDT", path, ""}};
  const auto lib = run_backtest(cfg);
  EXPECT_EQ(field(r.out, "candles"), "1440");
  EXPECT_EQ(field(r.out, "fills"), std::to_string(lib.fills));
  EXPECT_EQ(field(r.out, "trades"), std::to_string(lib.trades));
  EXPECT_EQ(field(r.out, "wins"), std::to_string(lib.wins));
  EXPECT_EQ(field(r.out, "fees"), lib.fees.to_string());
  EXPECT_EQ(field(r.out, "final_equity"), lib.final_equity.to_string());
  EXPECT_EQ(field(r.out, "open_orders_at_end"), std::to_string(lib.open_orders_at_end));
  EXPECT_EQ(field(r.out, "rejected"), "0");
  EXPECT_EQ(field(r.out, "dropped"), R"({"order":0,"signal":0,"data":0})");
  for (const char* k : {"max_drawdown", "elapsed_s", "candles_per_s", "signals", "orders"})
    EXPECT_NE(field(r.out, k), "<missing>") << k;
}

TEST(BacktestCli, MultiSymbolMicrosecondFilesWithReportAndTrades) {
  TRADEBUS_REQUIRE_SHARED(btc, "klines_csv/spot_1m/BTCUSDT-1m-2025-07-13.csv");
  TRADEBUS_REQUIRE_SHARED(sol, "klines_csv/spot_1m/SOLUSDT-1m-2025-07-13.csv");
  const auto dir = test::scratch_dir("cli_multi");
  const auto r = run_cli("backtest --json --data BTCUSDT=" + btc + " --data SOLUSDT=" + sol +
                         " --fast 5 --slow 20 --fee-bps 5 --slippage-bps 2 --report " + dir +
                         "/r.html --trades " + dir + "/t.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(field(r.out, "candles"), "2880");
  const auto trades = test::read_file(dir + "/t.csv");
  const auto rows = static_cast<std::size_t>(std::count(trades.begin(), trades.end(), '\n'));
  EXPECT_EQ(std::to_string(rows - 1), field(r.out, "fills"));  // header + one row per fill
  EXPECT_NE(test::read_file(dir + "/r.html").find("price-SOLUSDT"), std::string::npos);
}

TEST(BacktestCli, ADataPatternReadsEveryFileItMatches) {
  const auto dir = test::scratch_dir("cli_pattern");
  std::string listed;
  for (int day = 1; day <= 3; ++day) {
    std::string rows;
    for (int m = 0; m < 120; ++m) {
      const std::string px = std::to_string(100 + (m * 7 + day * 13) % 23);
      rows += test::kline_row((day - 1) * 1440 + m, px, px, px, px);
    }
    const auto path =
        test::write_file(dir + "/BTCUSDT-1m-2020-01-0" + std::to_string(day) + ".csv", rows);
    listed += " --data BTCUSDT=" + path;
  }
  // Quoted, as a user types it, so that the shell leaves the pattern to tradebus.
  const auto by_pattern = run_cli("backtest --json --no-progress --fast 3 --slow 7 --data '" + dir +
                                  "/BTCUSDT-1m-2020-01-*.csv'");
  const auto by_list = run_cli("backtest --json --no-progress --fast 3 --slow 7" + listed);
  ASSERT_EQ(by_pattern.exit_code, 0) << by_pattern.err;
  ASSERT_EQ(by_list.exit_code, 0) << by_list.err;
  EXPECT_EQ(field(by_pattern.out, "candles"), "360");
  EXPECT_NE(field(by_pattern.out, "fills"), "0");
  EXPECT_EQ(field(by_pattern.out, "fills"), field(by_list.out, "fills"));
  EXPECT_EQ(field(by_pattern.out, "final_equity"), field(by_list.out, "final_equity"));

  const auto none = run_cli("backtest --json --data 'BTCUSDT=" + dir + "/ETHUSDT-*.csv'");
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("ETHUSDT-*.csv"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("no file matches"), std::string::npos) << none.err;
}

TEST(BacktestCli, ConfigFileWithFlagOverrides) {
  TRADEBUS_REQUIRE_SHARED(path, "klines_csv/spot_1m/BTCUSDT-1m-2020-01-02.csv");
  const auto dir = test::scratch_dir("cli_config");
  test::write_file(dir + "/c.toml", "data = [\"BTCUSDT=" + path +
                                        "\"]\nquantity = \"0.05\"\n[strategy]\nname = "
                                        "\"sma_cross\"\nfast = 5\nslow = 15\n");
  const auto a = run_cli("backtest --json --config " + dir + "/c.toml");
  const auto b = run_cli("backtest --json --config " + dir + "/c.toml --slow 40");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(field(a.out, "signals"), field(b.out, "signals"));
  const auto c =
      run_cli("backtest --json --data BTCUSDT=" + path + " --quantity 0.05 --fast 5 --slow 15");
  EXPECT_EQ(field(a.out, "final_equity"), field(c.out, "final_equity"));
}

TEST(BacktestCli, BadInputExitsNonZeroWithAClearMessageAndLeavesNothing) {
  const auto dir = test::scratch_dir("cli_bad");
  std::string rows;
  for (int m = 0; m < 50; ++m)
    rows += test::kline_row(m, "10", "11", "9", "10");
  rows += test::kline_row(50, "10", "11", "9", "abc");
  const auto bad = test::write_file(dir + "/BTCUSDT-1m-bad.csv", rows);
  const std::string outputs = " --report " + dir + "/r.html --trades " + dir + "/t.csv";

  auto r = run_cli("backtest --data BTCUSDT=" + bad + outputs);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad + ":51: column 5 (close): 'abc' is not a decimal number"),
            std::string::npos)
      << r.err;

  r = run_cli("backtest --data BTCUSDT=" + dir + "/missing.csv" + outputs);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.csv: cannot open"), std::string::npos) << r.err;

  r = run_cli("backtest --strategy nope" + outputs);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("known strategies: breakout, rsi_reversion, sma_cross"), std::string::npos)
      << r.err;

  r = run_cli("backtest --quantity 0.0.1" + outputs);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--quantity '0.0.1'"), std::string::npos) << r.err;

  test::write_file(dir + "/c.toml", "fee_bsp = 3\n");
  r = run_cli("backtest --config " + dir + "/c.toml" + outputs);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("c.toml:1: fee_bsp: unknown key"), std::string::npos) << r.err;

  // Missing folders are made; one that is a file cannot be (and root may write anywhere else).
  r = run_cli("backtest --report " + dir + "/c.toml/r.html");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot write " + dir + "/c.toml/r.html"), std::string::npos) << r.err;

  r = run_cli("backtest --no-such-flag");
  EXPECT_NE(r.exit_code, 0);

  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    const auto name = f.path().filename().string();
    EXPECT_TRUE(name == "BTCUSDT-1m-bad.csv" || name == "c.toml") << "left behind: " << name;
  }
}

TEST(BacktestCli, DefaultRunIsTheSyntheticMarket) {
  const auto dir = test::scratch_dir("cli_default");
  const auto r = run_cli("backtest --report " + dir + "/r.html");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Backtest summary"), std::string::npos);
  EXPECT_NE(r.out.find("BTCUSDT, ETHUSDT, SOLUSDT"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir + "/r.html"));
}

TEST(BenchCli, QuickJsonHasEveryKey) {
  const auto r = run_cli("bench --json --quick");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* k :
       {"bus_throughput_eps", "bus_throughput_blocking_eps", "same_thread_eps",
        "same_thread_ring_skeleton_eps", "latency_p50_ns", "latency_p99_ns", "latency_max_ns",
        "pipeline_candles_per_s", "rss_mb_full_queues", "shutdown_ms_full_queues",
        "backtest_candles_per_s", "ws_kline_parse_per_s", "machine_floor", "ratios"})
    EXPECT_NE(field(r.out, k), "<missing>") << k << " in " << r.out;
  EXPECT_NE(field(r.out, "pipeline_candles_per_s"), "0");
  EXPECT_NE(field(r.out, "same_thread_ring_skeleton_eps"), "0");
  // The quick run leaves ~40,000 orders (one per zigzag candle after the first) and the
  // restart on them replayed their fills (-1 when it failed or replayed none).
  EXPECT_GE(std::stoll(field(r.out, "durable_run_orders")), 39'000) << r.out;
  EXPECT_GT(std::stod(field(r.out, "restart_ms_after_durable_run")), 0.0) << r.out;
}
