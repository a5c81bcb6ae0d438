// The Redis transport against a real redis-server: URL parsing, the wire format, publishing,
// reading with acknowledgement, malformed entries, trimming, and a Redis restart.
#include <gtest/gtest.h>

#include "support/recording_handler.hpp"
#include "support/redis_server.hpp"
#include "tradebus/bus/event_bus.hpp"
#include "tradebus/model/decimal.hpp"
#include "tradebus/transport/redis/redis_event_publisher.hpp"
#include "tradebus/transport/redis/redis_stream_source.hpp"
#include "transport/redis/redis_test_support.hpp"

using namespace tradebus;
using namespace tradebus::literals;
using namespace std::chrono_literals;
using redis::RedisConfigError;

namespace {

std::vector<Event> one_of_each_type() {
  const Candle c = test::walk_candles("BTCUSDT", 1).front();
  Signal s{"sma_cross", "BTCUSDT", Side::sell, "7186.68"_d, 0.25, c.close_time_ns, "fast below"};
  Order o;
  o.client_order_id = "tb-17";
  o.symbol = "BTCUSDT";
  o.strategy_id = "sma_cross";
  o.side = Side::sell;
  o.type = OrderType::limit;
  o.status = OrderStatus::submitted;
  o.quantity = "0.01"_d;
  o.limit_price = "7190"_d;
  o.created_ns = c.close_time_ns;
  Order rejected = o;
  rejected.status = OrderStatus::rejected;
  rejected.reason = "-2010 insufficient balance";
  Order canceled = o;
  canceled.status = OrderStatus::canceled;
  Fill f{"tb-17",     "BTCUSDT", "sma_cross",         Side::sell, "7190"_d, "0.004"_d,
         "0.02876"_d, "USDT",    c.close_time_ns + 1, 991,        true};
  ErrorInfo err{"strategy", Severity::critical, "std::runtime_error", "boom", "{\"x\":1}"};
  return {Event(EventType::candle_closed, c, 1, "collector"),
          Event(EventType::signal_generated, s, 2, "strategy"),
          Event(EventType::order_created, o, 3, "order_manager"),
          Event(EventType::order_filled, f, 4, "paper"),
          Event(EventType::order_rejected, rejected, 5, "paper"),
          Event(EventType::order_canceled, canceled, 6, "paper"),
          Event(EventType::error, err, 7, "bus")};
}

bool same(const Event& a, const Event& b) {
  return a.type == b.type && a.timestamp_ns == b.timestamp_ns && a.source == b.source &&
         a.payload == b.payload;
}

redis::StreamEntry entry_with(std::vector<std::pair<std::string, std::string>> fields) {
  redis::StreamEntry e{"1-1", {}};
  e.fields.kind = redis::RedisValue::Kind::array;
  for (auto& [k, v] : fields) {
    redis::RedisValue key, value;
    key.kind = value.kind = redis::RedisValue::Kind::string;
    key.str = k;
    value.str = v;
    e.fields.elements.push_back(key);
    e.fields.elements.push_back(value);
  }
  return e;
}

}  // namespace

TEST(RedisUrl, ParsesEveryPartAndRefusesWhatItCannotUse) {
  auto ep = redis::parse_redis_url("redis://:s3cret@10.0.0.5:6380/2");
  EXPECT_EQ(ep.host, "10.0.0.5");
  EXPECT_EQ(ep.port, 6380);
  EXPECT_EQ(ep.password, "s3cret");
  EXPECT_EQ(ep.db, 2);
  EXPECT_EQ(ep.describe(), "10.0.0.5:6380/2");  // never the password
  ep = redis::parse_redis_url("redis://localhost");
  EXPECT_EQ(ep.port, 6379);
  EXPECT_EQ(ep.db, 0);
  const auto message = [](const std::string& url) {
    try {
      redis::parse_redis_url(url);
    } catch (const RedisConfigError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("http://x:1").find("must start with redis://"), std::string::npos);
  EXPECT_NE(message("rediss://x:1").find("TLS"), std::string::npos);
  EXPECT_NE(message("redis://x:99999").find("port '99999'"), std::string::npos);
  EXPECT_NE(message("redis://x:1/abc").find("database 'abc'"), std::string::npos);
  EXPECT_NE(message("redis://user:pw@x:1").find("user name"), std::string::npos);
  const auto leaked = message("redis://user:topsecret@x:1");
  EXPECT_EQ(leaked.find("topsecret"), std::string::npos) << leaked;
}

TEST(RedisWire, RefusesUnknownVersionsAndDamagedEntriesWithAReason) {
  std::vector<Event> out;
  std::string error;
  std::string blob;
  redis::append_event(one_of_each_type()[0], blob);
  EXPECT_TRUE(redis::decode_entry(entry_with({{"v", "1"}, {"e", blob}}), out, error)) << error;
  EXPECT_EQ(out.size(), 1u);
  EXPECT_FALSE(redis::decode_entry(entry_with({{"v", "2"}, {"e", blob}}), out, error));
  EXPECT_NE(error.find("version '2' is not supported"), std::string::npos) << error;
  EXPECT_FALSE(redis::decode_entry(entry_with({{"e", blob}}), out, error));
  EXPECT_NE(error.find("missing field 'v'"), std::string::npos) << error;
  EXPECT_FALSE(
      redis::decode_entry(entry_with({{"v", "1"}, {"e", blob.substr(0, 20)}}), out, error));
  EXPECT_NE(error.find("runs past"), std::string::npos) << error;
  std::string bad = blob;
  bad[4] = 9;  // the codec's own version byte
  EXPECT_FALSE(redis::decode_entry(entry_with({{"v", "1"}, {"e", bad}}), out, error));
  EXPECT_EQ(out.size(), 1u) << "a bad entry adds nothing";
  // Every prefix of a valid entry is refused or decodes; none crashes (ASan watches).
  for (std::size_t n = 0; n < blob.size(); ++n)
    (void)redis::decode_entry(entry_with({{"v", "1"}, {"e", blob.substr(0, n)}}), out, error);
}

TEST(RedisTransport, EveryEventTypeCrossesRedisUnchangedBothWays) {
  test::RedisServer server("redis_round_trip");
  const auto sent = one_of_each_type();

  // bus -> publisher -> streams
  EventBus out_bus;
  redis::RedisPublisherOptions po;
  po.endpoint = server.endpoint();
  redis::RedisEventPublisher publisher(po);
  publisher.attach(out_bus,
                   {EventType::candle_closed, EventType::signal_generated, EventType::order_created,
                    EventType::order_filled, EventType::order_rejected, EventType::order_canceled,
                    EventType::error});
  publisher.start();
  out_bus.start();
  for (const auto& e : sent)
    out_bus.publish(e, Lane::order);  // one lane: kept in publish order
  ASSERT_TRUE(out_bus.wait_idle(10s));
  ASSERT_TRUE(publisher.flush(10s));
  EXPECT_EQ(publisher.stats().sent, sent.size());
  auto conn = server.connect();
  const redis::StreamNames names;
  const auto md = test::read_stream(*conn, names.market_data("BTCUSDT"));
  const auto exec = test::read_stream(*conn, names.execution());
  const auto orders = test::read_stream(*conn, names.orders());
  const auto errors = test::read_stream(*conn, names.errors());
  ASSERT_EQ(md.size(), 1u);
  ASSERT_EQ(exec.size(), 1u);
  ASSERT_EQ(orders.size(), 4u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(same(md[0], sent[0]));
  EXPECT_TRUE(same(exec[0], sent[1]));
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_TRUE(same(orders[i], sent[2 + i])) << i;
  EXPECT_TRUE(same(errors[0], sent[6]));

  // one entry holding all of them -> source -> bus, in order
  std::string blob;
  for (const auto& e : sent)
    redis::append_event(e, blob);
  conn->command({"XADD", "tb:in", "*", "v", "1", "e", blob});
  EventBus in_bus;
  test::RecordingHandler seen;
  for (std::size_t t = 0; t < kEventTypeCount; ++t)
    in_bus.subscribe_sync(static_cast<EventType>(t), std::ref(seen));
  in_bus.start();
  redis::RedisSourceOptions so;
  so.endpoint = server.endpoint();
  so.stream = "tb:in";
  redis::RedisStreamSource source(so);
  source.start(in_bus, [](std::string) {});
  ASSERT_TRUE(test::eventually([&] { return source.stats().acknowledged == 1; }));
  ASSERT_TRUE(in_bus.wait_idle(10s));
  const auto got = seen.events();
  ASSERT_EQ(got.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i)
    EXPECT_TRUE(same(got[i], sent[i])) << to_string(sent[i].type);
  source.stop();
  EXPECT_EQ(conn->command({"XPENDING", "tb:in", "execute"}).elements[0].integer, 0);
}

TEST(RedisTransport, MalformedEntriesAreCountedSkippedAndAcknowledged) {
  test::RedisServer server("redis_malformed");
  auto conn = server.connect();
  const auto candles = test::walk_candles("ETHUSDT", 3);
  const auto add = [&](std::vector<std::string_view> fields) {
    std::vector<std::string_view> cmd{"XADD", "tb:exec", "*"};
    cmd.insert(cmd.end(), fields.begin(), fields.end());
    ASSERT_FALSE(conn->command(cmd).is_error());
  };
  std::string good[3];
  for (int i = 0; i < 3; ++i)
    redis::append_event(test::candle_event(candles[static_cast<std::size_t>(i)]), good[i]);
  add({"v", "1", "e", good[0]});
  add({"hello", "world"});                                        // not ours
  add({"v", "7", "e", good[1]});                                  // a future format
  add({"v", "1", "e", std::string_view(good[1]).substr(0, 30)});  // truncated
  add({"v", "1", "e", good[1]});
  add({"v", "1", "e", good[2]});

  EventBus bus;
  test::RecordingHandler seen;
  bus.subscribe_sync(EventType::candle_closed, std::ref(seen));
  bus.start();
  redis::RedisSourceOptions so;
  so.endpoint = server.endpoint();
  so.stream = "tb:exec";
  redis::RedisStreamSource source(so);
  source.start(bus, [](std::string) {});
  ASSERT_TRUE(test::eventually([&] { return source.stats().acknowledged == 6; }));
  ASSERT_TRUE(bus.wait_idle(10s));
  source.stop();
  const auto s = source.stats();
  EXPECT_EQ(s.malformed, 3u);
  EXPECT_EQ(s.candles, 3u);
  ASSERT_EQ(seen.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(seen.events()[i].as<Candle>(), candles[i]);
}

TEST(RedisTransport, TrimmingKeepsWhatAnyGroupHasNotAcknowledged) {
  test::RedisServer server("redis_trim");
  auto conn = server.connect();
  redis::ensure_group(*conn, "tb:exec", "execute");
  redis::ensure_group(*conn, "tb:exec", "audit");
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i)
    ids.push_back(conn->command({"XADD", "tb:exec", "*", "n", std::to_string(i)}).str);
  conn->command({"XREADGROUP", "GROUP", "execute", "x", "COUNT", "10", "STREAMS", "tb:exec", ">"});
  conn->command({"XREADGROUP", "GROUP", "audit", "y", "COUNT", "8", "STREAMS", "tb:exec", ">"});
  for (int i = 0; i < 6; ++i)
    conn->command({"XACK", "tb:exec", "execute", ids[static_cast<std::size_t>(i)]});
  for (int i = 0; i < 8; ++i)
    conn->command({"XACK", "tb:exec", "audit", ids[static_cast<std::size_t>(i)]});
  // execute has 6..9 unacknowledged; audit read 8 and acknowledged them all.
  EXPECT_EQ(redis::trim_acknowledged(*conn, "tb:exec"), ids[6]);
  EXPECT_EQ(conn->command({"XLEN", "tb:exec"}).integer, 4);
  for (int i = 6; i < 10; ++i)
    conn->command({"XACK", "tb:exec", "execute", ids[static_cast<std::size_t>(i)]});
  redis::trim_acknowledged(*conn, "tb:exec");
  EXPECT_EQ(conn->command({"XLEN", "tb:exec"}).integer, 2) << "audit never read the last two";
}

TEST(RedisTransport, APublisherBuffersThroughARedisRestartAndLosesNothing) {
  test::RedisServer server("redis_restart_publisher");
  redis::RedisPublisherOptions po;
  po.endpoint = server.endpoint();
  po.max_backoff = 200ms;
  redis::RedisEventPublisher publisher(po);
  publisher.start();
  const auto candles = test::walk_candles("BTCUSDT", 300);
  for (std::size_t i = 0; i < 100; ++i)
    publisher.publish(test::candle_event(candles[i]));
  ASSERT_TRUE(publisher.flush(10s));
  server.stop();
  for (std::size_t i = 100; i < 200; ++i)  // Redis is away: these wait in the buffer
    publisher.publish(test::candle_event(candles[i]));
  ASSERT_TRUE(test::eventually([&] { return publisher.stats().reconnects > 0; }));
  server.restart();
  for (std::size_t i = 200; i < 300; ++i)
    publisher.publish(test::candle_event(candles[i]));
  ASSERT_TRUE(publisher.flush(30s));
  auto conn = server.connect();
  std::vector<std::int64_t> opens;
  for (const auto& e : test::read_stream(*conn, redis::StreamNames{}.market_data("BTCUSDT")))
    if (opens.empty() || e.as<Candle>().open_time_ns > opens.back())  // a resent batch repeats
      opens.push_back(e.as<Candle>().open_time_ns);
  ASSERT_EQ(opens.size(), candles.size());
  for (std::size_t i = 0; i < candles.size(); ++i)
    EXPECT_EQ(opens[i], candles[i].open_time_ns);
  EXPECT_EQ(publisher.stats().dropped, 0u);
}

TEST(RedisTransport, AFullBufferDropsTheOldestCandlesOnlyAndCountsThem) {
  // Nothing listens on this port: everything stays buffered.
  redis::RedisPublisherOptions po;
  po.endpoint.port = test::free_loopback_port();
  po.capacity = 10;
  po.max_backoff = 100ms;
  redis::RedisEventPublisher publisher(po);
  publisher.start();
  const auto candles = test::walk_candles("BTCUSDT", 25);
  for (const auto& c : candles)
    publisher.publish(test::candle_event(c));
  const auto s = publisher.stats();
  EXPECT_EQ(s.buffered, 10u);
  EXPECT_EQ(s.dropped, 15u);
  publisher.stop(100ms);
  EXPECT_EQ(publisher.stats().unsent, 10u);
}
