// The state directory from the command line: a directory that cannot be written or a disk
// that fills up stops trading with a clear error; SIGTERM during a flood of orders lets them
// all land; dead letters are listed, retried and dropped; a paper state is never resumed live.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "fake_binance.hpp"
#include "support/child_process.hpp"
#include "support/cli_run.hpp"
#include "support/fake_binance_flags.hpp"
#include "support/fake_market.hpp"
#include "support/fake_market_candles.hpp"
#include "support/state_dir.hpp"
#include "support/test_paths.hpp"
#include "tradebus/persistence/dead_letter_store.hpp"
#include "tradebus/persistence/order_outbox.hpp"

using namespace tradebus;
using test::fake_binance_flags;
using test::field;
using test::run_cli;

namespace {

fakes::FakeBinanceOptions market_of_closed_candles() {
  fakes::FakeBinanceOptions o;
  o.candle_period = std::chrono::milliseconds(4);
  o.updates_per_candle = 0;
  return o;
}

TEST(StateCli, AStateDirectoryThatCannotBeWrittenStopsBeforeTrading) {
  fakes::FakeBinance fake(market_of_closed_candles());
  fake.add_symbol(test::fake_symbol("BTCUSDT", test::zigzag_candles("BTCUSDT", 10'000)));
  fake.start();
  const auto dir = test::scratch_dir("state_readonly");
  ASSERT_EQ(::chmod(dir.c_str(), 0555), 0);
  // root writes anywhere: run as nobody then, for whom the directory is read-only.
  const std::string as_user =
      ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  const auto r = run_cli("paper --symbols BTCUSDT --fast 1 --slow 2 --quantity 0.1 --state-dir " +
                             dir + "/state" + fake_binance_flags(fake),
                         as_user);
  ::chmod(dir.c_str(), 0755);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(dir + "/state"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot create"), std::string::npos) << r.err;
  EXPECT_TRUE(fake.orders().empty());
}

TEST(StateCli, AFullDiskStopsTradingWithAClearError) {
  fakes::FakeBinance fake(market_of_closed_candles());
  fake.add_symbol(test::fake_symbol("BTCUSDT", test::zigzag_candles("BTCUSDT", 100'000)));
  fake.start();
  const auto dir = test::scratch_dir("state_full");
  // Files may not grow past 256 KiB: the state database's write-ahead log soon hits it, as it
  // would a full disk.
  test::ChildProcess run("/usr/bin/prlimit",
                         {"--fsize=262144",
                          TRADEBUS_BINARY,
                          "live",
                          "--confirm-live",
                          "--symbols",
                          "BTCUSDT",
                          "--fast",
                          "1",
                          "--slow",
                          "2",
                          "--quantity",
                          "0.1",
                          "--recv-window-ms",
                          "300",
                          "--duration",
                          "60",
                          "--state-dir",
                          dir + "/state",
                          "--ws-url",
                          fake.ws_url(),
                          "--rest-url",
                          fake.rest_url()},
                         dir + "/out.txt", dir + "/err.txt",
                         {"BINANCE_API_KEY=fake-api-key", "BINANCE_API_SECRET=fake-api-secret"});
  ASSERT_TRUE(run.wait_for(std::chrono::seconds(50))) << "kept trading on a full disk";
  const std::string err = run.err();
  EXPECT_EQ(run.wait(), 1) << err;
  EXPECT_NE(err.find("order store failed, trading stopped"), std::string::npos) << err;
  EXPECT_NE(err.find("state.db"), std::string::npos) << err;
  // Nothing reached the exchange without its record: every placed id is in the database.
  const auto orders = fake.orders();
  EXPECT_FALSE(orders.empty());
  OrderOutbox box(test::open_state(dir + "/state"));
  box.load();
  std::set<std::string> recorded;
  for (const Order& o : box.all_orders())
    recorded.insert(std::string(o.client_order_id.view()));
  for (const auto& o : orders)
    EXPECT_TRUE(recorded.count(o.client_order_id)) << o.client_order_id << " sent unrecorded";
}

TEST(StateCli, SigtermDuringAFloodLetsEveryOrderLand) {
  fakes::FakeBinance fake(market_of_closed_candles());
  std::string symbols;
  for (const char* s :
       {"BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT", "DOTUSDT", "LTCUSDT"}) {
    fake.add_symbol(test::fake_symbol(s, test::zigzag_candles(s, 100'000)));
    symbols += (symbols.empty() ? "" : ",") + std::string(s);
  }
  fake.start();
  fake.set_response_delay(std::chrono::milliseconds(25));  // orders queue up behind each other
  const auto dir = test::scratch_dir("state_sigterm");
  test::ChildProcess run(
      TRADEBUS_BINARY,
      {"live", "--confirm-live", "--symbols", symbols, "--fast", "1", "--slow", "2", "--quantity",
       "0.1", "--recv-window-ms", "300", "--json", "--state-dir", dir + "/state", "--ws-url",
       fake.ws_url(), "--rest-url", fake.rest_url()},
      dir + "/out.txt", dir + "/err.txt",
      {"BINANCE_API_KEY=fake-api-key", "BINANCE_API_SECRET=fake-api-secret"});
  ASSERT_TRUE(test::eventually([&] { return fake.orders().size() >= 20; }));
  run.signal(SIGTERM);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(run.wait_for(std::chrono::seconds(15))) << "did not stop";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(11))
      << "longer than the 10 s shutdown time-out";
  ASSERT_EQ(run.wait(), 0) << run.err();
  EXPECT_EQ(field(run.out(), "interrupted"), "true");

  OrderOutbox box(test::open_state(dir + "/state"));
  const auto stored = box.load();
  EXPECT_TRUE(stored.unfinished.empty()) << stored.unfinished.size() << " orders left open";
  const auto orders = fake.orders();
  EXPECT_EQ(box.all_orders().size(), orders.size());
  EXPECT_EQ(stored.fills.size(), orders.size());
  EXPECT_EQ(field(run.out(), "orders"), std::to_string(orders.size()));
}

TEST(StateCli, DeadLettersAreListedRetriedAndDropped) {
  const auto dir = test::scratch_dir("state_dlq");
  {
    auto store = test::open_state(dir);
    DeadLetterStore letters(store);
    Fill f{
        "t-1",  "BTCUSDT", "s", Side::buy, Decimal::from_int(100), Decimal::from_int(1), Decimal{},
        "USDT", 5,         7,   true};
    letters.on_dead_letter(Event(EventType::order_filled, f, 5, "paper"), "books.on_fill",
                           "ledger \"down\"", 3);
    letters.on_dead_letter(Event(EventType::order_filled, f, 6, "paper"), "risk.on_fill", "x", 1);
    store->wait_durable();
  }
  auto r = run_cli("dlq list --state-dir " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);
  EXPECT_NE(r.out.find(R"("handler":"books.on_fill","attempts":3,"state":"new")"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(R"("error":"ledger \"down\"")"), std::string::npos) << r.out;

  EXPECT_EQ(run_cli("dlq drop 1 --state-dir " + dir).exit_code, 0);
  r = run_cli("dlq drop 1 --state-dir " + dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no dead letter 1"), std::string::npos) << r.err;
  EXPECT_EQ(run_cli("dlq retry 2 --state-dir " + dir).exit_code, 0);
  r = run_cli("dlq list --state-dir " + dir);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
  EXPECT_NE(r.out.find(R"("state":"retry")"), std::string::npos) << r.out;

  r = run_cli("dlq list --state-dir " + dir + "/nothing-here");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no state here"), std::string::npos) << r.err;
}

TEST(StateCli, APaperStateIsNeverResumedLive) {
  fakes::FakeBinance fake(market_of_closed_candles());
  fake.add_symbol(test::fake_symbol("BTCUSDT", test::zigzag_candles("BTCUSDT", 10'000)));
  fake.start();
  const auto dir = test::scratch_dir("state_mode");
  auto r = run_cli("paper --symbols BTCUSDT --max-candles 5 --state-dir " + dir +
                   fake_binance_flags(fake));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli("live --confirm-live --symbols BTCUSDT --state-dir " + dir + fake_binance_flags(fake),
              "BINANCE_API_KEY=fake-api-key BINANCE_API_SECRET=fake-api-secret ");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("was started with mode paper"), std::string::npos) << r.err;
  EXPECT_TRUE(fake.orders().empty());
}

}  // namespace
