// KlineCollector against the fake Binance on loopback: real WebSocket and REST traffic.
#include "tradebus/adapters/binance/kline_collector.hpp"

#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "support/fake_market.hpp"
#include "tradebus/bus/event_bus.hpp"

using namespace tradebus;
using namespace tradebus::binance;
using fakes::FakeBinance;
using test::eventually;

namespace {

// Collects every CANDLE_CLOSED the collector publishes on a real bus.
struct CandleLog {
  EventBus bus;
  std::mutex mu;
  std::map<std::string, std::vector<Candle>> by_symbol;
  std::atomic<bool> finished{false};

  CandleLog() {
    bus.subscribe_sync(
        EventType::candle_closed,
        [this](const Event& e) {
          std::lock_guard lock(mu);
          by_symbol[std::string(e.as<Candle>().symbol.view())].push_back(e.as<Candle>());
        },
        "test.candles");
    bus.start();
  }
  ~CandleLog() { bus.shutdown(std::chrono::seconds(5)); }
  std::size_t count(const std::string& s) {
    std::lock_guard lock(mu);
    return by_symbol[s].size();
  }
  std::vector<Candle> get(const std::string& s) {
    std::lock_guard lock(mu);
    return by_symbol[s];
  }
};

KlineCollectorOptions options_for(const FakeBinance& fake, std::vector<std::string> symbols) {
  KlineCollectorOptions o;
  o.symbols = std::move(symbols);
  o.ws_url = fake.ws_url();
  o.rest_url = fake.rest_url();
  o.reconnect_initial = std::chrono::milliseconds(20);
  o.reconnect_max = std::chrono::milliseconds(200);
  o.rest_timeout = std::chrono::milliseconds(5000);
  return o;
}

}  // namespace

TEST(KlineCollector, CombinedStreamDeliversEveryClosedCandleOnceWithAllFields) {
  FakeBinance fake;
  const auto btc = test::wave_candles("BTCUSDT", 30);
  const auto eth = test::wave_candles("ETHUSDT", 30, 1'000);
  fake.add_symbol(test::fake_symbol("BTCUSDT", btc));
  fake.add_symbol(test::fake_symbol("ETHUSDT", eth));
  fake.start();
  CandleLog log;
  auto o = options_for(fake, {"BTCUSDT", "ETHUSDT"});
  o.max_candles = 60;
  KlineCollector collector(o);
  ASSERT_EQ(collector.stream_targets().size(), 1u);
  EXPECT_EQ(collector.stream_targets()[0], "/stream?streams=btcusdt@kline_1m/ethusdt@kline_1m");
  std::atomic<bool> done{false};
  collector.start(log.bus, [&](std::string err) {
    EXPECT_EQ(err, "");
    done = true;
  });
  ASSERT_TRUE(eventually([&] { return done.load(); }));
  collector.stop();
  ASSERT_TRUE(log.bus.wait_idle(std::chrono::seconds(5)));
  // Every field, exactly as the source: open updates ("x": false) never become candles.
  EXPECT_EQ(log.get("BTCUSDT"), btc);
  EXPECT_EQ(log.get("ETHUSDT"), eth);
  const auto s = collector.stats();
  EXPECT_EQ(s.candles, 60u);
  EXPECT_EQ(s.connections, 1u);
  EXPECT_EQ(s.malformed_messages, 0u);
  EXPECT_GE(s.messages, 60u * 3);  // two in-progress updates per closed kline
}

TEST(KlineCollector, SplitsStreamsAcrossConnectionsPastTheLimit) {
  FakeBinance fake;
  const auto a = test::wave_candles("BTCUSDT", 10);
  const auto b = test::wave_candles("ETHUSDT", 10);
  const auto c = test::wave_candles("SOLUSDT", 10);
  fake.add_symbol(test::fake_symbol("BTCUSDT", a));
  fake.add_symbol(test::fake_symbol("ETHUSDT", b));
  fake.add_symbol(test::fake_symbol("SOLUSDT", c));
  fake.start();
  CandleLog log;
  auto o = options_for(fake, {"BTCUSDT", "ETHUSDT", "SOLUSDT"});
  o.max_streams_per_connection = 2;
  KlineCollector collector(o);
  ASSERT_EQ(collector.stream_targets().size(), 2u);
  EXPECT_EQ(collector.stream_targets()[1], "/stream?streams=solusdt@kline_1m");
  collector.start(log.bus, [](std::string) {});
  ASSERT_TRUE(eventually([&] {
    return log.count("BTCUSDT") == 10 && log.count("ETHUSDT") == 10 && log.count("SOLUSDT") >= 1;
  }));
  collector.stop();
  EXPECT_EQ(fake.stream_connections(), 2u);
  EXPECT_EQ(log.get("BTCUSDT"), a);
  EXPECT_EQ(log.get("ETHUSDT"), b);
}

TEST(KlineCollector, ReconnectAndBackfillGiveEveryCandleExactlyOnceInOrder) {
  FakeBinance fake;
  const auto btc = test::wave_candles("BTCUSDT", 80);
  const auto eth = test::wave_candles("ETHUSDT", 80, 500);
  fake.add_symbol(test::fake_symbol("BTCUSDT", btc));
  fake.add_symbol(test::fake_symbol("ETHUSDT", eth));
  fake.start();
  CandleLog log;
  auto o = options_for(fake, {"BTCUSDT", "ETHUSDT"});
  o.max_candles = 160;
  KlineCollector collector(o);
  std::atomic<bool> done{false};
  collector.start(log.bus, [&](std::string) { done = true; });

  ASSERT_TRUE(eventually([&] { return log.count("BTCUSDT") >= 10; }));
  // The connection dies without a close frame and the market runs on: 7 candles are never
  // streamed to us, and the stream itself jumps.
  fake.skip_candles_on_next_connect(7);
  fake.drop_connections();
  ASSERT_TRUE(eventually([&] { return log.count("BTCUSDT") >= 40; }));
  // The server refuses new streams for a while (the market keeps going), then comes back.
  fake.refuse_streams_for(std::chrono::milliseconds(300));
  fake.drop_connections();
  ASSERT_TRUE(eventually([&] { return done.load(); }));
  collector.stop();
  ASSERT_TRUE(log.bus.wait_idle(std::chrono::seconds(5)));

  EXPECT_EQ(log.get("BTCUSDT"), btc);
  EXPECT_EQ(log.get("ETHUSDT"), eth);
  const auto s = collector.stats();
  EXPECT_GE(s.reconnects, 2u);
  EXPECT_GE(s.backfilled_candles, 14u);  // 7 skipped, per symbol
  EXPECT_EQ(s.candles, 160u);
  EXPECT_GE(fake.klines_requests(), 2u);
}

TEST(KlineCollector, ReconnectsBeforeTheConnectionAgeLimitWithoutLosingCandles) {
  FakeBinance fake;
  const auto btc = test::wave_candles("BTCUSDT", 40);
  fake.add_symbol(test::fake_symbol("BTCUSDT", btc));
  fake.start();
  CandleLog log;
  auto o = options_for(fake, {"BTCUSDT"});
  o.max_candles = 40;
  o.max_connection_age = std::chrono::milliseconds(300);  // stands in for Binance's 24 hours
  KlineCollector collector(o);
  std::atomic<bool> done{false};
  collector.start(log.bus, [&](std::string) { done = true; });
  ASSERT_TRUE(eventually([&] { return done.load(); }));
  collector.stop();
  ASSERT_TRUE(log.bus.wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(log.get("BTCUSDT"), btc);
  EXPECT_GE(collector.stats().reconnects, 2u);
  EXPECT_GE(fake.stream_connections(), 3u);
}

TEST(KlineCollector, AnswersServerPings) {
  fakes::FakeBinanceOptions fo;
  fo.ping_interval = std::chrono::milliseconds(30);
  FakeBinance fake(fo);
  fake.add_symbol(test::fake_symbol("BTCUSDT", test::wave_candles("BTCUSDT", 40)));
  fake.start();
  CandleLog log;
  KlineCollector collector(options_for(fake, {"BTCUSDT"}));
  collector.start(log.bus, [](std::string) {});
  ASSERT_TRUE(eventually([&] { return fake.pongs_received() >= 3; }));
  collector.stop();
  EXPECT_GE(fake.pings_sent(), 3u);
  EXPECT_GE(collector.stats().pings, 3u);
}

TEST(KlineCollector, SkipsMalformedMessagesAndKeepsStreaming) {
  FakeBinance fake;
  const auto btc = test::wave_candles("BTCUSDT", 30);
  fake.add_symbol(test::fake_symbol("BTCUSDT", btc));
  fake.start();
  CandleLog log;
  auto o = options_for(fake, {"BTCUSDT"});
  o.max_candles = 30;
  KlineCollector collector(o);
  std::atomic<bool> done{false};
  collector.start(log.bus, [&](std::string) { done = true; });
  ASSERT_TRUE(eventually([&] { return log.count("BTCUSDT") >= 3; }));
  fake.send_raw("this is not JSON");
  fake.send_raw(R"({"stream":"btcusdt@kline_1m","data":{"e":"kline","k":{"t":"soon"}}})");
  fake.send_raw(R"({"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1,"s":"BTCUSDT","k":)"
                R"({"t":1,"T":2,"s":"DOGEUSDT","i":"1m","o":"1","c":"1","h":"1","l":"1",)"
                R"("v":"1","n":1,"x":true,"q":"1","V":"1","Q":"1"}}})");
  fake.send_raw(R"({"result":null,"id":1})");
  ASSERT_TRUE(eventually([&] { return done.load(); }));
  collector.stop();
  ASSERT_TRUE(log.bus.wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(log.get("BTCUSDT"), btc);
  const auto s = collector.stats();
  EXPECT_EQ(s.malformed_messages, 3u);
  EXPECT_EQ(s.other_messages, 1u);
  EXPECT_EQ(s.connections, 1u);  // bad messages never cost the connection
}

TEST(KlineCollector, RefusesBadSymbolsIntervalsAndUrls) {
  KlineCollectorOptions o;
  o.symbols = {"btc-usdt"};
  EXPECT_THROW(KlineCollector{o}, std::invalid_argument);
  o.symbols = {"BTCUSDT"};
  o.interval = "7m";
  EXPECT_THROW(KlineCollector{o}, std::invalid_argument);
  o.interval = "1m";
  o.ws_url = "ftp://example.com";
  EXPECT_THROW(KlineCollector{o}, std::invalid_argument);
  o.ws_url = "ws://127.0.0.1:99999";
  EXPECT_THROW(KlineCollector{o}, std::invalid_argument);
  o.symbols = {};
  o.ws_url = "ws://127.0.0.1:9";
  EXPECT_THROW(KlineCollector{o}, std::invalid_argument);
}
