#include "tradebus/model/event.hpp"

#include <random>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "tradebus/model/event_json.hpp"
#include "tradebus/model/time_format.hpp"

using namespace tradebus;

TEST(Event, HoldsPayloadInline) {
  // The payload lives in the event: copying a candle event allocates nothing per event.
  static_assert(sizeof(Event) < 320, "keep events small: they sit in ring slots");
  Candle c;
  c.symbol = "BTCUSDT";
  c.close = Decimal::from_string("7186.68");
  Event e(EventType::candle_closed, c, 42, "csv");
  EXPECT_EQ(e.as<Candle>().close, c.close);
  EXPECT_EQ(e.get_if<Order>(), nullptr);
  EXPECT_THROW(e.as<Order>(), std::bad_variant_access);
}

TEST(Event, DefaultLanesFollowTheSeed) {
  EXPECT_EQ(default_lane(EventType::candle_closed), Lane::data);
  EXPECT_EQ(default_lane(EventType::signal_generated), Lane::signal);
  EXPECT_EQ(default_lane(EventType::error), Lane::signal);
  for (auto t : {EventType::order_created, EventType::order_filled, EventType::order_rejected,
                 EventType::order_canceled})
    EXPECT_EQ(default_lane(t), Lane::order);
}

TEST(Event, TypeNamesRoundTrip) {
  for (std::size_t i = 0; i < kEventTypeCount; ++i) {
    const auto t = static_cast<EventType>(i);
    EXPECT_EQ(parse_event_type(to_string(t)), t);
  }
  EXPECT_FALSE(parse_event_type("NOPE").has_value());
}

TEST(Event, SymbolsLongerThanTheirStorageAreRefused) {
  EXPECT_THROW(Symbol("A_SYMBOL_THAT_IS_FAR_TOO_LONG"), std::length_error);
  EXPECT_EQ(FixedString<4>::truncated("abcdef").view(), "abcd");
}

// Compares the way std::string_view does, for every size class of the word-wise comparison
// (15 + 1 bytes is two words, 23 + 1 three, 36 + 1 four and a rest), including embedded zeros
// and a string reassigned shorter, whose old characters must not count.
template <std::size_t N>
void expect_fixed_strings_compare_as_views(unsigned seed) {
  std::mt19937 rng(seed);
  const std::string alphabet("\0\1AZaz\x7f\x80\xff", 9);
  auto random_string = [&] {
    std::string s(rng() % (N + 1), ' ');
    for (char& ch : s)
      ch = alphabet[rng() % alphabet.size()];
    return s;
  };
  for (int i = 0; i < 20000; ++i) {
    const std::string a = random_string();
    std::string b = random_string();
    if (i % 4 == 0) b = a.substr(0, rng() % (a.size() + 1));  // a prefix: the sizes decide
    FixedString<N> fa(random_string()), fb(b);
    fa.assign(a);  // over a different string, possibly longer
    const std::string_view va(a), vb(b);
    ASSERT_EQ(fa == fb, va == vb) << N << ": '" << a << "' '" << b << "'";
    ASSERT_EQ(fa <=> fb, va <=> vb) << N << ": '" << a << "' '" << b << "'";
    ASSERT_EQ(fb <=> fa, vb <=> va) << N << ": '" << a << "' '" << b << "'";
    // Equal text, equal hash: including a string written over a longer one.
    ASSERT_EQ(std::hash<FixedString<N>>{}(fa), std::hash<FixedString<N>>{}(FixedString<N>(a)));
  }
}

TEST(Event, FixedStringsCompareAsTheirTextDoes) {
  expect_fixed_strings_compare_as_views<4>(1);
  expect_fixed_strings_compare_as_views<15>(2);
  expect_fixed_strings_compare_as_views<23>(3);
  expect_fixed_strings_compare_as_views<36>(4);
  static_assert(Symbol("BTCUSDT") == Symbol("BTCUSDT"));  // usable at compile time too
  static_assert(Symbol("BTC") < Symbol("BTCUSDT"));
}

// The hash keys the strategies' per-symbol state. Symbols that differ in one character, or only
// in length, must land in different buckets about as often as random numbers would.
TEST(Event, SymbolHashesSpreadOverBuckets) {
  std::mt19937 rng(7);
  std::set<std::string> texts;
  while (texts.size() < 10'000) {
    std::string s(3 + rng() % 8, 'A');
    for (char& ch : s)
      ch = static_cast<char>('A' + rng() % 26);
    texts.insert(s);
  }
  for (std::string base : {"BTCUSDT", "ETHUSDT", "A"})
    for (std::size_t i = 0; i < 16; ++i)
      texts.insert(base + std::string(i, 'T'));
  std::set<std::size_t> hashes, buckets;
  constexpr std::size_t kBuckets = 10'007;  // a prime, as libstdc++'s tables use
  for (const std::string& t : texts) {
    const std::size_t h = std::hash<Symbol>{}(Symbol(t));
    hashes.insert(h);
    buckets.insert(h % kBuckets);
  }
  EXPECT_EQ(hashes.size(), texts.size());
  // Random keys would fill 1 - e^-1 = 63 % of the buckets (6,330 for these 10,060 keys).
  EXPECT_GT(buckets.size(), 6'100u);
}

TEST(Event, JsonCarriesExactDecimalsAndEscapes) {
  Order o;
  o.client_order_id = "tb-1";
  o.symbol = "BTCUSDT";
  o.quantity = Decimal::from_string("0.01");
  o.reason = "bad \"quote\"";
  const auto j = to_json(Event(EventType::order_created, o, 5, "om"));
  EXPECT_NE(j.find(R"("type":"ORDER_CREATED")"), std::string::npos) << j;
  EXPECT_NE(j.find(R"("quantity":"0.01")"), std::string::npos) << j;
  EXPECT_NE(j.find(R"(bad \"quote\")"), std::string::npos) << j;
}

TEST(TimeFormat, FormatsUtc) {
  EXPECT_EQ(format_utc(1'577'836'800'000'000'000LL), "2020-01-01T00:00:00Z");
  EXPECT_EQ(format_utc(1'577'836'859'999'000'000LL, true), "2020-01-01T00:00:59.999Z");
}
