#include "tradebus/adapters/binance/kline_message_parser.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/test_paths.hpp"

using namespace tradebus;
using namespace tradebus::binance;
using namespace tradebus::literals;

namespace {
const std::string kClosed =
    R"({"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1672515782136,"s":"BTCUSDT","k":{"t":1672515780000,"T":1672515839999,"s":"BTCUSDT","i":"1m","f":100,"L":200,"o":"16500.10000000","c":"16510.25000000","h":"16520.00000000","l":"16490.00000000","v":"12.34500000","n":321,"x":true,"q":"203812.25000000","V":"6.10000000","Q":"100716.52500000","B":"0"}}})";
}

TEST(KlineMessageParser, ReadsEveryFieldOfAClosedKline) {
  KlineMessageParser p;
  const auto m = p.parse(kClosed);
  ASSERT_EQ(m.kind, KlineMessageKind::closed_candle) << m.error;
  const Candle& c = m.candle;
  EXPECT_EQ(c.symbol.view(), "BTCUSDT");
  EXPECT_EQ(c.interval.view(), "1m");
  EXPECT_EQ(c.open_time_ns, 1672515780000LL * 1'000'000);
  EXPECT_EQ(c.close_time_ns, 1672515839999LL * 1'000'000);
  EXPECT_EQ(c.open, "16500.1"_d);
  EXPECT_EQ(c.high, "16520"_d);
  EXPECT_EQ(c.low, "16490"_d);
  EXPECT_EQ(c.close, "16510.25"_d);
  EXPECT_EQ(c.volume, "12.345"_d);
  EXPECT_EQ(c.trade_count, 321);
  EXPECT_EQ(c.quote_volume, "203812.25"_d);
  EXPECT_EQ(c.taker_buy_base_volume, "6.1"_d);
  EXPECT_EQ(c.taker_buy_quote_volume, "100716.525"_d);
}

TEST(KlineMessageParser, ReadsTheDocumentedRawPayload) {
  TRADEBUS_REQUIRE_SHARED(path, "ws/docs_examples/kline_payload.docs.stripped.json");
  KlineMessageParser p;
  const auto m = p.parse(test::read_file(path));
  ASSERT_EQ(m.kind, KlineMessageKind::open_update) << m.error;  // "x": false
  EXPECT_EQ(m.candle.symbol.view(), "BNBBTC");
  EXPECT_EQ(m.candle.high, "0.0025"_d);
  EXPECT_EQ(m.candle.taker_buy_quote_volume, "0.5"_d);
}

TEST(KlineMessageParser, ReadsRecordedLiveCombinedStreams) {
  TRADEBUS_REQUIRE_SHARED(
      path, "ws/messages/binance_spot_combined_kline_1m__from_cryptofeed_captures.jsonl");
  KlineMessageParser p;
  std::ifstream in(path);
  int closed = 0, open = 0;
  for (std::string line; std::getline(in, line);) {
    const auto m = p.parse(line);
    ASSERT_NE(m.kind, KlineMessageKind::malformed) << m.error << ": " << line;
    closed += m.kind == KlineMessageKind::closed_candle;
    open += m.kind == KlineMessageKind::open_update;
  }
  EXPECT_EQ(closed, 2);  // as PROVENANCE.md counts
  EXPECT_EQ(open, 17);
}

TEST(KlineMessageParser, OtherMessagesAreNotErrors) {
  KlineMessageParser p;
  EXPECT_EQ(p.parse(R"({"result":null,"id":1})").kind, KlineMessageKind::other);
  EXPECT_EQ(p.parse(R"({"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT"}})").kind,
            KlineMessageKind::other);
}

TEST(KlineMessageParser, MalformedMessagesSayWhatIsWrong) {
  KlineMessageParser p;
  auto bad = [&](std::string text, const char* what) {
    const auto m = p.parse(text);
    EXPECT_EQ(m.kind, KlineMessageKind::malformed) << text;
    EXPECT_NE(m.error.find(what), std::string::npos) << m.error << " for " << text;
  };
  bad("garbage", "JSON");
  bad("[1,2]", "not a JSON object");
  bad(R"({"e":"kline","k":5})", "'k' is not an object");
  std::string s = kClosed;
  bad(std::string(s).replace(s.find(R"("o":"16500.10000000")"), 20, R"("o":"abc")"),
      "'o' is not a decimal");
  bad(std::string(s).replace(s.find(R"("o":"16500.10000000")"), 20, R"("o":16500.1)"),
      "'o' is not a string");
  bad(std::string(s).replace(s.find(R"("n":321,)"), 8, ""), "lacks a required field");
  bad(std::string(s).replace(s.find(R"("h":"16520.00000000")"), 20, R"("h":"1.00000000")"),
      "high is below low");
  bad(s.substr(0, s.size() / 2), "");  // truncated
}

// The exact-layout scan must never disagree with simdjson: run both on valid messages and on
// thousands of deterministic random mutations of them (bytes changed, dropped, inserted, cut).
TEST(KlineMessageParser, ExactScanAgreesWithSimdjsonOnEveryMutation) {
  KlineMessageParser fast(true), generic(false);
  std::vector<std::string> seeds = {kClosed};
  std::string open_update = kClosed;
  open_update.replace(open_update.find("\"x\":true"), 8, "\"x\":false");
  seeds.push_back(open_update);
  const auto data = kClosed.find("\"data\":");
  seeds.push_back(kClosed.substr(data + 7, kClosed.size() - data - 8));  // the raw payload
  if (const auto path = test::shared_file_or_empty(
          "ws/messages/binance_spot_combined_kline_1m__from_cryptofeed_captures.jsonl");
      !path.empty()) {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
      seeds.push_back(line);
  }
  auto agree = [&](const std::string& text) {
    const KlineMessage a = fast.parse(text);
    const KlineMessage b = generic.parse(text);
    EXPECT_EQ(a.kind, b.kind) << text;
    EXPECT_EQ(a.error, b.error) << text;
    if (a.kind == KlineMessageKind::closed_candle || a.kind == KlineMessageKind::open_update) {
      EXPECT_EQ(a.candle, b.candle) << text;
    }
    return a.kind == b.kind;
  };
  std::uint32_t state = 20261127;
  auto rnd = [&](std::uint32_t n) {
    state = state * 1664525u + 1013904223u;
    return (state >> 8) % n;
  };
  const std::string alphabet = "0123456789.-\"{}:,tTxeE \\\x80zZ";
  std::size_t parsed_as_kline = 0;
  for (const auto& seed : seeds) {
    ASSERT_TRUE(agree(seed));
    for (int i = 0; i < 1500; ++i) {
      std::string m = seed;
      const std::uint32_t at = rnd(static_cast<std::uint32_t>(m.size()));
      switch (rnd(4)) {
        case 0:
          m[at] = alphabet[rnd(static_cast<std::uint32_t>(alphabet.size()))];
          break;
        case 1:
          m.erase(at, 1);
          break;
        case 2:
          m.insert(m.begin() + at, alphabet[rnd(static_cast<std::uint32_t>(alphabet.size()))]);
          break;
        default:
          m.resize(at);
      }
      if (!agree(m)) return;
      parsed_as_kline += fast.parse(m).kind == KlineMessageKind::closed_candle;
    }
  }
  EXPECT_GT(parsed_as_kline, 100u);  // many mutations stay valid klines (digits changed)
}
