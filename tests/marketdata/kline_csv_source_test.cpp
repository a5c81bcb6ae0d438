#include "tradebus/marketdata/kline_csv_source.hpp"

#include <atomic>
#include <chrono>
#include <future>

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/recording_handler.hpp"
#include "support/test_paths.hpp"
#include "tradebus/bus/event_bus.hpp"

using namespace tradebus;
using namespace std::chrono_literals;

namespace {

// Replays `source` through a real bus and returns the candles in the order handlers saw them.
std::pair<std::vector<Candle>, std::string> replay(CandleReplay& source) {
  EventBusOptions o;
  o.pending_orders_file.clear();
  o.data.overflow = Overflow::wait_forever;
  EventBus bus(o);
  test::RecordingHandler rec;
  bus.subscribe(EventType::candle_closed, std::ref(rec));
  bus.start();
  std::promise<std::string> done;
  source.start(bus, [&](std::string err) { done.set_value(std::move(err)); });
  auto err = done.get_future().get();
  source.stop();
  bus.shutdown(30s);
  std::vector<Candle> out;
  for (const auto& e : rec.events())
    out.push_back(e.as<Candle>());
  return {out, err};
}

}  // namespace

TEST(KlineCsvSource, MergesByOpenTimeThenSymbolName) {
  const auto dir = test::scratch_dir("merge");
  // ETH has minutes 0,1,2; BTC has 1,2,3; same open times tie-break by symbol name.
  std::string eth, btc;
  for (int m : {0, 1, 2})
    eth += test::kline_row(m, "2", "3", "1", "2");
  for (int m : {1, 2, 3})
    btc += test::kline_row(m, "5", "6", "4", "5");
  KlineCsvSource src({{"ETHUSDT", test::write_file(dir + "/e.csv", eth), ""},
                      {"BTCUSDT", test::write_file(dir + "/b.csv", btc), ""}});
  auto [candles, err] = replay(src);
  EXPECT_EQ(err, "");
  std::vector<std::string> order;
  for (const auto& c : candles)
    order.push_back(c.symbol.str() + "@" +
                    std::to_string((c.open_time_ns / 60'000'000'000LL) % 10));
  EXPECT_EQ(order, (std::vector<std::string>{"ETHUSDT@0", "BTCUSDT@1", "ETHUSDT@1", "BTCUSDT@2",
                                             "ETHUSDT@2", "BTCUSDT@3"}));
  EXPECT_DOUBLE_EQ(src.progress(), 1.0);
}

TEST(KlineCsvSource, ConcatenatesConsecutiveRealFilesOfOneSymbol) {
  TRADEBUS_REQUIRE_SHARED(d1, "klines_csv/spot_1m/BTCUSDT-1m-2020-01-01.csv");
  TRADEBUS_REQUIRE_SHARED(d2, "klines_csv/spot_1m/BTCUSDT-1m-2020-01-02.csv");
  TRADEBUS_REQUIRE_SHARED(d3, "klines_csv/spot_1m/BTCUSDT-1m-2020-01-03.csv");
  KlineCsvSource src({{"", d3, ""}, {"", d1, ""}, {"", d2, ""}});  // any order given
  EXPECT_EQ(src.symbols(), std::vector<std::string>{"BTCUSDT"});
  auto [candles, err] = replay(src);
  EXPECT_EQ(err, "");
  ASSERT_EQ(candles.size(), 4320u);
  for (std::size_t i = 1; i < candles.size(); ++i)
    ASSERT_EQ(candles[i].open_time_ns - candles[i - 1].open_time_ns, 60'000'000'000LL) << i;
}

TEST(KlineCsvSource, OverlappingFilesOfOneSymbolAreAnError) {
  const auto dir = test::scratch_dir("overlap");
  std::string a, b;
  for (int m : {0, 1, 2})
    a += test::kline_row(m, "2", "3", "1", "2");
  for (int m : {2, 3})
    b += test::kline_row(m, "2", "3", "1", "2");
  KlineCsvSource src({{"BTCUSDT", test::write_file(dir + "/a.csv", a), ""},
                      {"BTCUSDT", test::write_file(dir + "/b.csv", b), ""}});
  auto [candles, err] = replay(src);
  EXPECT_NE(err.find("overlaps another file"), std::string::npos) << err;
}

TEST(KlineCsvSource, ABadRowMidwayEndsTheReplayWithTheFileAndLine) {
  const auto dir = test::scratch_dir("midway");
  std::string rows;
  for (int m = 0; m < 5; ++m)
    rows += test::kline_row(m, "2", "3", "1", "2");
  rows += test::kline_row(5, "2", "1", "3", "2");  // high < low on line 6
  const auto path = test::write_file(dir + "/BTCUSDT-1m-x.csv", rows);
  KlineCsvSource src({{"", path, ""}});
  auto [candles, err] = replay(src);
  EXPECT_EQ(candles.size(), 5u);
  EXPECT_NE(err.find(path + ":6: high 1 is below low 3"), std::string::npos) << err;
}

TEST(KlineCsvSource, RefusesFilesItCannotOpenOrName) {
  EXPECT_THROW(KlineCsvSource({{"BTCUSDT", "/nonexistent.csv", ""}}), DataError);
  const auto dir = test::scratch_dir("noname");
  const auto path = test::write_file(dir + "/data.csv", test::kline_row(0, "1", "1", "1", "1"));
  try {
    KlineCsvSource src({{"", path, ""}});
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("SYMBOL=PATH"), std::string::npos);
  }
  EXPECT_THROW(KlineCsvSource({}), DataError);
}

TEST(KlineCsvSource, APatternStandsForTheFilesItMatchesInNameOrder) {
  const auto dir = test::scratch_dir("pattern");
  // Three days of one symbol, as Binance ships them; a fourth file of another symbol that the
  // pattern must not pick up; and a file whose own name holds a glob character.
  for (int day = 1; day <= 3; ++day) {
    std::string rows;
    for (int m = 0; m < 2; ++m)
      rows += test::kline_row((day - 1) * 1440 + m, "2", "3", "1", "2");
    test::write_file(dir + "/BTCUSDT-1m-2020-01-0" + std::to_string(day) + ".csv", rows);
  }
  test::write_file(dir + "/ETHUSDT-1m-2020-01-01.csv", test::kline_row(0, "2", "3", "1", "2"));
  const auto literal =
      test::write_file(dir + "/BTCUSDT-1m-[x].csv", test::kline_row(5000, "2", "3", "1", "2"));

  const auto specs = expand_kline_patterns({{"", dir + "/BTCUSDT-1m-2020-*.csv", ""}});
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].path, dir + "/BTCUSDT-1m-2020-01-01.csv");
  EXPECT_EQ(specs[2].path, dir + "/BTCUSDT-1m-2020-01-03.csv");

  KlineCsvSource src({{"", dir + "/BTCUSDT-1m-2020-01-0?.csv", ""}});
  EXPECT_EQ(src.symbols(), std::vector<std::string>{"BTCUSDT"});
  auto [candles, err] = replay(src);
  EXPECT_EQ(err, "");
  ASSERT_EQ(candles.size(), 6u);
  for (std::size_t i = 1; i < candles.size(); ++i)
    EXPECT_GT(candles[i].open_time_ns, candles[i - 1].open_time_ns) << i;

  // An existing file is taken as it is, even with '[' in its name.
  EXPECT_EQ(expand_kline_patterns({{"", literal, ""}}).size(), 1u);
  try {
    KlineCsvSource none({{"", dir + "/SOLUSDT-1m-*.csv", ""}});
    FAIL() << "a pattern that matches nothing must be an error";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("SOLUSDT-1m-*.csv"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no file matches"), std::string::npos) << e.what();
  }
}

TEST(KlineCsvSource, PacedReplayFollowsMarketTime) {
  const auto dir = test::scratch_dir("paced");
  std::string rows;
  for (int m = 0; m < 4; ++m)
    rows += test::kline_row(m, "2", "3", "1", "2");
  KlineCsvSource src({{"BTCUSDT", test::write_file(dir + "/a.csv", rows), ""}});
  src.set_speed(60.0 * 20);  // a market minute every 50 ms: 3 gaps -> at least 150 ms
  const auto t0 = std::chrono::steady_clock::now();
  auto [candles, err] = replay(src);
  EXPECT_EQ(candles.size(), 4u);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 140ms);
}
