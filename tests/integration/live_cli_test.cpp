// `tradebus paper`, `tradebus live` and `tradebus fetch-klines` as a user runs them, against the
// fake Binance on loopback.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "fake_binance.hpp"
#include "support/child_process.hpp"
#include "support/cli_run.hpp"
#include "support/eventually.hpp"
#include "support/fake_binance_flags.hpp"
#include "support/fake_market.hpp"
#include "tradebus/marketdata/kline_csv_reader.hpp"

using namespace tradebus;
using namespace std::chrono_literals;
using test::fake_binance_flags;
using test::field;
using test::run_cli;

namespace {

std::vector<Candle> read_csv(const std::string& path, const char* symbol, std::size_t limit = 0) {
  KlineCsvReader reader(path, Symbol(symbol), "1m");
  std::vector<Candle> out;
  Candle c;
  while ((limit == 0 || out.size() < limit) && reader.next(c))
    out.push_back(c);
  return out;
}

fakes::FakeBinanceOptions market_with_updates() {
  fakes::FakeBinanceOptions o;
  o.candle_period = std::chrono::milliseconds(12);
  o.updates_per_candle = 1;
  return o;
}

}  // namespace

TEST(PaperCli, RecordsLiveCandlesThatABacktestReproducesExactly) {
  TRADEBUS_REQUIRE_SHARED(path, "klines_csv/spot_1m/BTCUSDT-1m-2020-01-01.csv");
  const auto source = read_csv(path, "BTCUSDT", 300);
  fakes::FakeBinance fake(market_with_updates());
  fake.add_symbol(test::fake_symbol("BTCUSDT", source));
  fake.start();
  const auto dir = test::scratch_dir("paper_cli");
  const auto paper =
      run_cli("paper --symbols BTCUSDT --fast 5 --slow 20 --max-candles 300 --json --trades " +
              dir + "/trades.csv --record-klines " + dir + "/rec --journal " + dir +
              "/j --state-dir " + dir + "/state" + fake_binance_flags(fake));
  ASSERT_EQ(paper.exit_code, 0) << paper.err;
  EXPECT_EQ(field(paper.out, "mode"), "\"paper\"");
  EXPECT_EQ(field(paper.out, "candles"), "300");
  EXPECT_EQ(field(paper.out, "malformed_messages"), "0");
  EXPECT_EQ(field(paper.out, "reconnects"), "0");
  for (const char* k : {"signals", "orders", "fills", "rejected", "backfilled_candles"})
    EXPECT_NE(field(paper.out, k), "<missing>") << k;

  // Recorded live data is the source, row for row, in the layout the backtest reads...
  const std::string recorded = dir + "/rec/BTCUSDT-1m.csv";
  EXPECT_EQ(read_csv(recorded, "BTCUSDT"), source);
  // ...and backtesting it makes the same decisions the paper run made live.
  const auto bt =
      run_cli("backtest --json --no-progress --fast 5 --slow 20 --data BTCUSDT=" + recorded);
  ASSERT_EQ(bt.exit_code, 0) << bt.err;
  for (const char* k : {"signals", "orders", "fills", "positions"})
    EXPECT_EQ(field(paper.out, k), field(bt.out, k)) << k;
  EXPECT_NE(field(paper.out, "fills"), "0");
  // The live run's journal replays to the same signals and orders.
  const auto replay = run_cli("replay --json " + dir + "/j --fast 5 --slow 20");
  EXPECT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  EXPECT_EQ(field(replay.out, "identical"), "true") << replay.out;
  const auto trades = test::read_file(dir + "/trades.csv");
  EXPECT_EQ(std::count(trades.begin(), trades.end(), '\n'),
            std::stoll(field(paper.out, "fills")) + 1);
}

TEST(LiveCli, TradesAgainstTheFakeWithoutDuplicatesAndNeverLogsTheSecret) {
  const auto candles = test::wave_candles("BTCUSDT", 200);
  fakes::FakeBinance fake(market_with_updates());
  fake.add_symbol(test::fake_symbol("BTCUSDT", candles));
  fake.start();
  // The first order's answer is lost after Binance placed it: the engine must not place it twice.
  fake.push_order_fault(fakes::OrderFault::error_500_after_accept);
  const auto r = run_cli(
      "--log-level debug live --confirm-live --symbols BTCUSDT --fast 5 --slow 20 "
      "--max-candles 200 --recv-window-ms 300 --timeout-ms 2000 --json --state-dir " +
          test::scratch_dir("live_cli_state") + fake_binance_flags(fake),
      "BINANCE_API_KEY=fake-api-key BINANCE_API_SECRET=fake-api-secret ");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(field(r.out, "mode"), "\"live\"");
  EXPECT_EQ(field(r.out, "durability"), "\"power\"");  // live's default
  EXPECT_EQ(field(r.out, "candles"), "200");
  EXPECT_EQ(field(r.out, "rejected"), "0");
  const auto orders = fake.orders();
  ASSERT_GE(orders.size(), 2u);
  EXPECT_EQ(field(r.out, "orders"), std::to_string(orders.size()));
  EXPECT_EQ(field(r.out, "fills"), std::to_string(orders.size()));  // market: one fill each
  std::set<std::string> ids;
  Decimal held;
  for (const auto& o : orders) {
    EXPECT_TRUE(ids.insert(o.client_order_id).second) << "placed twice: " << o.client_order_id;
    EXPECT_EQ(o.status, "FILLED");
    held +=
        (o.side == "BUY" ? Decimal::from_string(o.quantity) : -Decimal::from_string(o.quantity));
  }
  EXPECT_EQ(field(r.out, "positions"), "{\"BTCUSDT\":" + held.to_string() + "}");
  EXPECT_NE(field(r.out, "exchange"), "<missing>");
  EXPECT_NE(r.err.find("outcome unknown"), std::string::npos) << "the fault was exercised";
  EXPECT_EQ(r.err.find("fake-api-secret"), std::string::npos);
  EXPECT_EQ(r.out.find("fake-api-secret"), std::string::npos);
}

TEST(LiveCli, RefusesToStartUnsafely) {
  auto r =
      run_cli("live --symbols BTCUSDT --ws-url ws://127.0.0.1:9 --rest-url http://127.0.0.1:9");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--confirm-live"), std::string::npos) << r.err;

  r = run_cli("live --confirm-live --symbols BTCUSDT --rest-url http://127.0.0.1:9",
              "env -u BINANCE_API_KEY -u BINANCE_API_SECRET ");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("BINANCE_API_KEY"), std::string::npos) << r.err;

  const auto dir = test::scratch_dir("live_keys");
  const auto keys = test::write_file(dir + "/keys.txt", "my-key\nsuper-secret-value\n");
  ::chmod(keys.c_str(), 0644);
  r = run_cli("live --confirm-live --symbols BTCUSDT --key-file " + keys);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("readable by others"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("super-secret-value"), std::string::npos);
  const auto one_line = test::write_file(dir + "/one-line.txt", "only-a-key\n");
  ::chmod(one_line.c_str(), 0600);
  r = run_cli("live --confirm-live --symbols BTCUSDT --key-file " + one_line);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("secret on line 2"), std::string::npos) << r.err;

  r = run_cli("paper --symbols BTCUSDT --ws-url ftp://x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ftp://x"), std::string::npos) << r.err;
  r = run_cli("paper --symbols BTCUSDT,ETHBTC");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("quote currencies"), std::string::npos) << r.err;
}

TEST(FetchKlinesCli, DownloadsPagedHistoryIntoTheBacktestLayout) {
  auto candles = test::wave_candles("BTCUSDT", 2'500);
  fakes::FakeBinance fake;
  auto sym = test::fake_symbol("BTCUSDT", candles);
  sym.history = candles.size();
  fake.add_symbol(sym);
  fake.start();
  const auto dir = test::scratch_dir("fetch_cli");
  // 2020-01-01T00:00 + 2500 minutes is 2020-01-02T17:40; ask for a window inside it.
  const auto r = run_cli(
      "fetch-klines --symbol BTCUSDT --interval 1m --start 2020-01-01T00:10 "
      "--end 2020-01-02T17:00 --out " +
      dir + "/btc.csv --rest-url " + fake.rest_url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<Candle> want(candles.begin() + 10, candles.begin() + 2'460);
  EXPECT_EQ(read_csv(dir + "/btc.csv", "BTCUSDT"), want);
  EXPECT_GE(fake.klines_requests(), 3u);  // paged by 1000

  const auto bad = run_cli(
      "fetch-klines --symbol BTCUSDT --start 2020-13-01 --end 2020-01-02 "
      "--out " +
      dir + "/x.csv --rest-url " + fake.rest_url());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--start '2020-13-01'"), std::string::npos) << bad.err;
}

TEST(PaperCli, StopsCleanlyOnDurationAndOnSigint) {
  fakes::FakeBinance fake;  // 40 ms per candle: runs far longer than the test
  fake.add_symbol(test::fake_symbol("BTCUSDT", test::wave_candles("BTCUSDT", 100'000)));
  fake.start();
  const auto timed =
      run_cli("paper --symbols BTCUSDT --duration 1 --json --no-state" + fake_binance_flags(fake));
  ASSERT_EQ(timed.exit_code, 0) << timed.err;
  EXPECT_GE(std::stod(field(timed.out, "elapsed_s")), 0.9);
  EXPECT_NE(field(timed.out, "candles"), "0");

  // SIGINT once candles flow (recorded, flushed per candle), not at a fixed time: a loaded
  // machine under ASan may still be starting up after any fixed delay, and a signal before the
  // engine handles it takes the default action.
  const auto dir = test::scratch_dir("paper_sigint");
  test::ChildProcess child(
      TRADEBUS_BINARY,
      {"paper", "--symbols", "BTCUSDT", "--json", "--no-state", "--record-klines", dir + "/klines",
       "--ws-url", fake.ws_url(), "--rest-url", fake.rest_url()},
      dir + "/out.txt", dir + "/err.txt");
  ASSERT_TRUE(child.started());
  ASSERT_TRUE(test::eventually([&] {
    std::error_code ec;
    return std::filesystem::file_size(dir + "/klines/BTCUSDT-1m.csv", ec) > 0 && !ec;
  })) << child.err();
  child.signal(SIGINT);
  ASSERT_TRUE(child.wait_for(30s)) << child.err();
  ASSERT_EQ(child.wait(), 0) << child.err();
  EXPECT_EQ(field(child.out(), "interrupted"), "true") << child.out();
  EXPECT_NE(field(child.out(), "candles"), "0") << child.out();
}

// Ctrl-C while the run is still starting (here: waiting for exchangeInfo) is the same clean stop
// as one during the run, not the default action's exit 130 without a summary.
TEST(PaperCli, ASignalDuringStartUpStopsCleanlyBeforeMarketData) {
  fakes::FakeBinance fake;
  fake.add_symbol(test::fake_symbol("BTCUSDT", test::wave_candles("BTCUSDT", 100'000)));
  fake.start();
  fake.set_response_delay(1500ms);
  const auto dir = test::scratch_dir("paper_early_sigint");
  test::ChildProcess child(TRADEBUS_BINARY,
                           {"paper", "--symbols", "BTCUSDT", "--json", "--no-state", "--ws-url",
                            fake.ws_url(), "--rest-url", fake.rest_url()},
                           dir + "/out.txt", dir + "/err.txt");
  ASSERT_TRUE(child.started());
  ASSERT_TRUE(test::eventually([&] {
    for (const auto& r : fake.request_log())
      if (r.find("/api/v3/exchangeInfo") != std::string::npos) return true;
    return false;
  })) << child.err();
  child.signal(SIGINT);  // its answer is still 1.5 s away
  ASSERT_TRUE(child.wait_for(30s)) << child.err();
  ASSERT_EQ(child.wait(), 0) << child.err();
  EXPECT_EQ(field(child.out(), "interrupted"), "true") << child.out();
  EXPECT_EQ(field(child.out(), "candles"), "0") << child.out();
  EXPECT_EQ(fake.stream_connections(), 0u) << "market data started after the stop";
}
