// Strategy group members against a real redis-server: symbols shared and handed over, each
// candle processed once and in order, a silent member's entries claimed, state rebuilt so that
// the signals are those of one process, back-pressure, and a Redis restart.
#include <set>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "support/redis_server.hpp"
#include "tradebus/transport/redis/redis_event_publisher.hpp"
#include "tradebus/transport/redis/redis_stream_source.hpp"
#include "tradebus/transport/redis/strategy_group_member.hpp"
#include "transport/redis/redis_test_support.hpp"

using namespace tradebus;
using namespace std::chrono_literals;

namespace {

constexpr int kFast = 3, kSlow = 8;

redis::StrategyMemberOptions member_options(const test::RedisServer& server, std::string name,
                                            std::vector<std::string> symbols) {
  redis::StrategyMemberOptions o;
  o.endpoint = server.endpoint();
  o.member = std::move(name);
  o.symbols = std::move(symbols);
  o.lease = 900ms;
  o.block = 50ms;
  o.max_backoff = 200ms;
  o.make_strategies = [] {
    return std::vector<std::shared_ptr<Strategy>>{
        std::make_shared<SmaCross>("sma_cross", kFast, kSlow)};
  };
  return o;
}

void publish_all(redis::RedisEventPublisher& p, const std::vector<std::vector<Candle>>& series,
                 std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i)
    for (const auto& s : series)
      p.publish(test::candle_event(s[i]));
}

std::size_t candles_out(test::RedisServer& server) {
  auto conn = server.connect();
  std::size_t n = 0;
  for (const auto& e : test::read_stream(*conn, redis::StreamNames{}.execution()))
    n += e.type == EventType::candle_closed;
  return n;
}

// Each symbol's candles reached the executor stream exactly once, in order, with the signals a
// single process makes from them.
void expect_single_process_flow(test::RedisServer& server,
                                const std::vector<std::vector<Candle>>& series) {
  auto conn = server.connect();
  const auto got = test::flows(test::read_stream(*conn, redis::StreamNames{}.execution()));
  for (const auto& s : series) {
    const std::string sym(s.front().symbol.view());
    ASSERT_TRUE(got.count(sym)) << sym;
    const auto& flow = got.at(sym);
    ASSERT_EQ(flow.candles.size(), s.size()) << sym;
    for (std::size_t i = 0; i < s.size(); ++i)
      ASSERT_EQ(flow.candles[i], s[i].open_time_ns) << sym << " candle " << i;
    EXPECT_EQ(flow.signals, test::single_process_signals(s, kFast, kSlow)) << sym;
    EXPECT_GT(flow.signals.size(), 10u) << sym;
  }
}

}  // namespace

TEST(StrategyGroup, MembersShareSymbolsAndHandThemOverWithoutChangingASignal) {
  test::RedisServer server("group_share");
  const std::vector<std::string> symbols{"BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT"};
  std::vector<std::vector<Candle>> series;
  for (const auto& s : symbols)
    series.push_back(test::walk_candles(s, 400));
  redis::RedisPublisherOptions po;
  po.endpoint = server.endpoint();
  redis::RedisEventPublisher publisher(po);
  publisher.start();

  redis::StrategyGroupMember a(member_options(server, "a", symbols));
  a.start();
  ASSERT_TRUE(test::eventually([&] { return a.owned_symbols().size() == symbols.size(); }));
  publish_all(publisher, series, 0, 150);
  ASSERT_TRUE(test::eventually([&] { return candles_out(server) == 150 * symbols.size(); }));

  // b joins: a hands over the symbols rendezvous hashing gives b; b rebuilds their state.
  auto b = std::make_unique<redis::StrategyGroupMember>(member_options(server, "b", symbols));
  b->start();
  ASSERT_TRUE(test::eventually([&] {
    return !b->owned_symbols().empty() &&
           a.owned_symbols().size() + b->owned_symbols().size() == symbols.size();
  }));
  const auto b_owned = b->owned_symbols();
  publish_all(publisher, series, 150, 300);
  ASSERT_TRUE(test::eventually([&] { return candles_out(server) == 300 * symbols.size(); }));

  // b leaves cleanly: its symbols go back to a at once (released, not left to expire).
  b->stop();
  EXPECT_EQ(b->stats().takeovers, b_owned.size());
  EXPECT_GT(b->stats().warmup_candles, 0u);
  b.reset();
  publish_all(publisher, series, 300, 400);
  ASSERT_TRUE(test::eventually([&] { return candles_out(server) == 400 * symbols.size(); }));
  a.stop();
  const auto s = a.stats();
  EXPECT_EQ(s.released, b_owned.size());
  EXPECT_EQ(s.takeovers, symbols.size() + b_owned.size());
  EXPECT_EQ(s.duplicates_skipped, 0u);
  EXPECT_EQ(s.malformed, 0u);
  expect_single_process_flow(server, series);
}

TEST(StrategyGroup, ASilentMembersUnacknowledgedCandlesAreClaimedAndProcessedOnce) {
  test::RedisServer server("group_claim");
  auto conn = server.connect();
  const auto series = std::vector<std::vector<Candle>>{test::walk_candles("BTCUSDT", 300)};
  redis::RedisPublisherOptions po;
  po.endpoint = server.endpoint();
  po.events_per_entry = 1;  // one candle per entry, so the ghost can hold 120 of them
  redis::RedisEventPublisher publisher(po);
  publisher.start();
  publish_all(publisher, series, 0, 300);
  ASSERT_TRUE(publisher.flush(10s));

  // "ghost" took the symbol, read 120 candles and died before acknowledging any.
  const redis::StreamNames names;
  const std::string stream = names.market_data("BTCUSDT");
  redis::ensure_group(*conn, stream, "strategies");
  conn->command({"SET", names.owner("strategies", "BTCUSDT"), "ghost", "PX", "900"});
  const auto read = conn->command(
      {"XREADGROUP", "GROUP", "strategies", "ghost", "COUNT", "120", "STREAMS", stream, ">"});
  ASSERT_EQ(redis::parse_read_reply(read).at(0).second.size(), 120u);

  redis::StrategyGroupMember m(member_options(server, "survivor", {"BTCUSDT"}));
  const auto t0 = std::chrono::steady_clock::now();
  m.start();
  ASSERT_TRUE(test::eventually([&] { return candles_out(server) == 300; }));
  // It waited for the ghost's lease to run out before touching the symbol.
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 500ms);
  m.stop();
  EXPECT_EQ(m.stats().claimed, 120u);
  EXPECT_EQ(m.stats().candles, 300u);
  EXPECT_EQ(conn->command({"XPENDING", stream, "strategies"}).elements[0].integer, 0);
  expect_single_process_flow(server, series);
}

// Collectors of two intervals share a symbol's stream: a member told its interval feeds only
// those candles to its strategies (signals as one process on that series) and acknowledges the
// rest. Without the filter the 1m candles, each opening later than the last 5m one, would reach
// the strategies and change every signal.
TEST(StrategyGroup, AMemberTakesOnlyCandlesOfItsInterval) {
  test::RedisServer server("group_interval");
  auto conn = server.connect();
  const auto minutes = test::walk_candles("BTCUSDT", 600);
  std::vector<Candle> fives;
  redis::RedisPublisherOptions po;
  po.endpoint = server.endpoint();
  redis::RedisEventPublisher publisher(po);
  publisher.start();
  for (std::size_t i = 0; i < minutes.size(); ++i) {
    publisher.publish(test::candle_event(minutes[i]));
    if (i % 5 == 4) {  // the 5m candle that closes with this 1m one
      Candle c = minutes[i];
      c.interval = "5m";
      c.open_time_ns = minutes[i - 4].open_time_ns;
      c.open = minutes[i - 4].open;
      fives.push_back(c);
      publisher.publish(test::candle_event(c));
    }
  }
  ASSERT_TRUE(publisher.flush(10s));

  auto o = member_options(server, "m", {"BTCUSDT"});
  o.interval = "7m";  // not Binance's: refused at once rather than skipping every candle
  try {
    redis::StrategyGroupMember refused(o);
    ADD_FAILURE() << "a member with interval 7m was made";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'7m' is not a Binance kline interval (1s 1m"),
              std::string::npos)
        << e.what();
  }
  o.interval = "5m";
  redis::StrategyGroupMember m(o);
  m.start();
  ASSERT_TRUE(test::eventually([&] { return m.stats().candles == fives.size(); }));
  ASSERT_TRUE(test::eventually([&] {
    return conn->command({"XPENDING", redis::StreamNames{}.market_data("BTCUSDT"), "strategies"})
               .elements[0]
               .integer == 0;
  }));
  m.stop();
  EXPECT_EQ(m.stats().other_interval, minutes.size());
  EXPECT_EQ(m.stats().duplicates_skipped, 0u);
  expect_single_process_flow(server, {fives});
}

TEST(StrategyGroup, AMemberThatLostItsLeaseCannotWrite) {
  test::RedisServer server("group_fence");
  const auto series = std::vector<std::vector<Candle>>{test::walk_candles("BTCUSDT", 50)};
  redis::RedisPublisherOptions po;
  po.endpoint = server.endpoint();
  redis::RedisEventPublisher publisher(po);
  publisher.start();
  redis::StrategyGroupMember m(member_options(server, "m", {"BTCUSDT"}));
  m.start();
  ASSERT_TRUE(test::eventually([&] { return m.owned_symbols().size() == 1; }));
  // Someone else holds the lease now (as if ours expired while we were paused).
  auto conn = server.connect();
  conn->command(
      {"SET", redis::StreamNames{}.owner("strategies", "BTCUSDT"), "other", "PX", "60000"});
  publish_all(publisher, series, 0, 50);
  ASSERT_TRUE(test::eventually([&] { return m.stats().leases_lost >= 1; }));
  m.stop();
  EXPECT_EQ(candles_out(server), 0u) << "nothing written without the lease";
  EXPECT_EQ(m.stats().candles, 0u);
}

TEST(StrategyGroup, MembersPauseWhileTheExecutorIsBehindAndCatchUpAfter) {
  test::RedisServer server("group_backpressure");
  const auto series = std::vector<std::vector<Candle>>{test::walk_candles("BTCUSDT", 200)};
  auto opts = member_options(server, "m", {"BTCUSDT"});
  opts.max_pending = 10;
  opts.count = 4;  // 4 candles per execution-stream entry
  redis::StrategyGroupMember m(opts);
  m.start();
  redis::RedisPublisherOptions po;
  po.endpoint = server.endpoint();
  po.events_per_entry = 1;
  redis::RedisEventPublisher publisher(po);
  publisher.start();
  publish_all(publisher, series, 0, 200);
  ASSERT_TRUE(test::eventually([&] { return m.stats().backpressure_waits > 3; }));
  auto conn = server.connect();
  const auto exec = redis::StreamNames{}.execution();
  EXPECT_LE(conn->command({"XLEN", exec}).integer, 10);
  EXPECT_LT(m.stats().candles, 200u);

  // An executor consumes and trims: the member goes on to the end.
  EventBus bus;
  bus.start();
  redis::RedisSourceOptions so;
  so.endpoint = server.endpoint();
  so.stream = exec;
  so.trim_interval = 50ms;
  redis::RedisStreamSource source(so);
  source.start(bus, [](std::string) {});
  ASSERT_TRUE(test::eventually([&] { return source.stats().candles == 200; }));
  source.stop();
  m.stop();
  EXPECT_EQ(m.stats().candles, 200u);
  EXPECT_GT(source.stats().trims, 0u);
}

TEST(StrategyGroup, ARedisRestartLosesNoCandleAndRepeatsNone) {
  test::RedisServer server("group_restart");
  const std::vector<std::string> symbols{"BTCUSDT", "ETHUSDT"};
  std::vector<std::vector<Candle>> series;
  for (const auto& s : symbols)
    series.push_back(test::walk_candles(s, 300));
  redis::RedisPublisherOptions po;
  po.endpoint = server.endpoint();
  po.max_backoff = 200ms;
  redis::RedisEventPublisher publisher(po);
  publisher.start();
  auto opts = member_options(server, "m", symbols);
  opts.lease = 5s;  // survives the restart
  redis::StrategyGroupMember m(opts);
  m.start();
  publish_all(publisher, series, 0, 150);
  ASSERT_TRUE(test::eventually([&] { return candles_out(server) == 300; }));
  server.restart();
  publish_all(publisher, series, 150, 300);
  ASSERT_TRUE(publisher.flush(30s));
  ASSERT_TRUE(test::eventually([&] { return candles_out(server) == 600; }));
  m.stop();
  EXPECT_GT(m.stats().reconnects, 0u);
  expect_single_process_flow(server, series);
}
