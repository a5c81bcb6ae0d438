#include "tradebus/execution/portfolio.hpp"

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/books.hpp"

using namespace tradebus;
using namespace tradebus::literals;
using tradebus::test::expect_same_books;

namespace {
Fill fill(Side side, const char* price, const char* qty, const char* fee, std::int64_t t = 0) {
  Fill f;
  f.symbol = "BTCUSDT";
  f.side = side;
  f.price = Decimal::from_string(price);
  f.quantity = Decimal::from_string(qty);
  f.fee = Decimal::from_string(fee);
  f.time_ns = t;
  f.order_complete = true;
  return f;
}
}  // namespace

TEST(Portfolio, HandComputedRoundTrip) {
  Portfolio p("1000"_d);
  EXPECT_FALSE(p.apply(fill(Side::buy, "100", "2", "0.2")).has_value());
  EXPECT_EQ(p.cash(), "799.8"_d);
  p.mark("BTCUSDT", "110"_d);
  EXPECT_EQ(p.equity(), "1019.8"_d);
  EXPECT_EQ(p.unrealized_pnl(), "19.8"_d);  // 220 - 200.2
  auto trip = p.apply(fill(Side::sell, "105", "2", "0.21", 5));
  ASSERT_TRUE(trip.has_value());
  EXPECT_EQ(p.cash(), "1009.59"_d);
  EXPECT_EQ(p.realized_pnl(), "9.59"_d);  // 209.79 - 200.2
  EXPECT_EQ(p.fees_paid(), "0.41"_d);
  EXPECT_EQ(trip->entry_cost, "200.2"_d);
  EXPECT_EQ(trip->exit_proceeds, "209.79"_d);
  EXPECT_TRUE(trip->win());
  EXPECT_EQ(p.round_trips(), 1u);
  EXPECT_EQ(p.wins(), 1u);
  EXPECT_EQ(p.equity(), p.cash());
  EXPECT_EQ(p.equity() - p.initial_cash(), p.realized_pnl() + p.unrealized_pnl());
}

TEST(Portfolio, ALosingTripAfterFeesIsNotAWin) {
  Portfolio p("1000"_d);
  p.apply(fill(Side::buy, "100", "1", "0.1"));
  auto trip = p.apply(fill(Side::sell, "100.15", "1", "0.10015"));  // +0.15 gross, fees 0.20015
  ASSERT_TRUE(trip);
  EXPECT_FALSE(trip->win());
  EXPECT_EQ(trip->pnl(), "-0.05015"_d);
}

TEST(Portfolio, PartialSellsReleaseCostBasisProportionally) {
  Portfolio p("1000"_d);
  p.apply(fill(Side::buy, "10", "3", "0.3"));  // basis 30.3
  EXPECT_FALSE(p.apply(fill(Side::sell, "12", "1", "0")).has_value());
  EXPECT_EQ(p.position("BTCUSDT")->cost_basis, "20.2"_d);
  EXPECT_EQ(p.realized_pnl(), "1.9"_d);  // 12 - 10.1
  auto trip = p.apply(fill(Side::sell, "12", "2", "0"));
  ASSERT_TRUE(trip);
  EXPECT_EQ(p.position("BTCUSDT")->cost_basis, "0"_d);
  EXPECT_EQ(p.realized_pnl(), "5.7"_d);
  EXPECT_THROW(p.apply(fill(Side::sell, "12", "1", "0")), std::logic_error);
}

TEST(Portfolio, QuoteAssetOfSymbols) {
  EXPECT_EQ(quote_asset_of("BTCUSDT"), "USDT");
  EXPECT_EQ(quote_asset_of("SOLBTC"), "BTC");
  EXPECT_EQ(quote_asset_of("ETHFDUSD"), "FDUSD");
  EXPECT_FALSE(quote_asset_of("XYZ").has_value());
}

namespace {

// Random long-only trading over three symbols: buys, partial and whole sells, odd prices.
std::vector<Fill> random_fills(std::uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  const char* symbols[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
  std::map<std::string, std::int64_t> held;  // raw quantity
  std::vector<Fill> out;
  for (int i = 0; i < n; ++i) {
    Fill f;
    const std::string sym = symbols[rng() % 3];
    f.symbol = Symbol(sym);
    f.price = Decimal::from_raw(static_cast<std::int64_t>(rng() % 10'000'000'000'000) + 1);
    f.fee = Decimal::from_raw(static_cast<std::int64_t>(rng() % 100'000'000));
    f.time_ns = i;
    std::int64_t& h = held[sym];
    if (h == 0 || rng() % 2 == 0) {
      f.side = Side::buy;
      f.quantity = Decimal::from_raw(static_cast<std::int64_t>(rng() % 1'000'000'000) + 1);
      h += f.quantity.raw();
    } else {
      f.side = Side::sell;
      f.quantity = rng() % 3 == 0 ? Decimal::from_raw(h)
                                  : Decimal::from_raw(static_cast<std::int64_t>(rng()) % h + 1);
      if (f.quantity.raw() <= 0) f.quantity = Decimal::from_raw(h);
      h -= f.quantity.raw();
    }
    out.push_back(f);
  }
  return out;
}

}  // namespace

// What a restart does with a snapshot: books from zero cash up to fill k, restored into a
// portfolio with the run's cash, then the fills after k. It must equal applying every fill,
// to the unit, including the entry times of trips still open at the snapshot.
TEST(Portfolio, ASnapshotThenTheRestEqualsEveryFill) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto fills = random_fills(seed, 200);
    Portfolio whole("25000.5"_d);
    std::vector<std::optional<RoundTrip>> trips;  // what each fill completed
    for (const Fill& f : fills)
      trips.push_back(whole.apply(f));
    for (const std::size_t k : {std::size_t{0}, std::size_t{1}, std::size_t{57}, fills.size()}) {
      Portfolio upto(Money{});
      for (std::size_t i = 0; i < k; ++i)
        upto.apply(fills[i]);
      Portfolio resumed("25000.5"_d);
      resumed.restore(upto.snapshot());
      for (std::size_t i = k; i < fills.size(); ++i) {
        // A trip opened before the snapshot and closed after it keeps its entry time and cost.
        const auto t = resumed.apply(fills[i]);
        ASSERT_EQ(t.has_value(), trips[i].has_value()) << "fill " << i;
        if (!t) continue;
        EXPECT_EQ(t->entry_time_ns, trips[i]->entry_time_ns) << "seed " << seed << " fill " << i;
        EXPECT_EQ(t->entry_cost, trips[i]->entry_cost) << "seed " << seed << " fill " << i;
        EXPECT_EQ(t->exit_proceeds, trips[i]->exit_proceeds) << "seed " << seed << " fill " << i;
      }
      for (const char* sym : {"BTCUSDT", "ETHUSDT", "SOLUSDT"}) {
        whole.mark(sym, "123.45678901"_d);
        resumed.mark(sym, "123.45678901"_d);
      }
      expect_same_books(whole, resumed,
                        "seed " + std::to_string(seed) + " snapshot after " + std::to_string(k));
    }
  }
}

// Version 1 of the layout, byte for byte: old state directories hold it, so a change to the
// writer that breaks it must fail here rather than on a user's restart.
TEST(Portfolio, SnapshotVersion1IsReadAsWritten) {
  Portfolio p("1000"_d);
  p.apply(fill(Side::buy, "100", "2", "0.2", 7));
  p.apply(fill(Side::sell, "105", "2", "0.21", 9));
  p.apply(fill(Side::buy, "50", "1", "0.05", 11));
  const std::string hex =
      "54425046"                           // TBPF
      "01"                                 // version
      "80f0d60effffffff"                   // cash change -40.46
      "80e7bd0200000000"                   // fees 0.46 (0.2 + 0.21 + 0.05)
      "0100000000000000 0100000000000000"  // one round trip, one win
      "01 07 42544355534454"               // a last trip, of BTCUSDT:
      "0700000000000000 0900000000000000"  // entered at 7, left at 9,
      "00f548a904000000 c02272e204000000"  // cost 200.2, proceeds 209.79
      "01000000"                           // one position:
      "07 42544355534454"                  // BTCUSDT,
      "00e1f50500000000 403d522a01000000"  // quantity 1, cost basis 50.05,
      "c02d293900000000"                   // realized 9.59,
      "403d522a01000000 0000000000000000"  // entry cost 50.05, proceeds 0,
      "01 0b00000000000000";               // entered at 11
  std::string bytes;
  for (std::size_t i = 0; i < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    i += 2;
  }
  EXPECT_EQ(p.snapshot(), bytes);
  Portfolio q("1000"_d);
  q.restore(bytes);
  q.mark("BTCUSDT", "60"_d);
  p.mark("BTCUSDT", "60"_d);
  expect_same_books(p, q, "version 1");
}

TEST(Portfolio, ABadSnapshotIsRefusedAndChangesNothing) {
  Portfolio p(Money{});
  p.apply(fill(Side::buy, "100", "2", "0.2", 7));
  const std::string good = p.snapshot();
  auto refused = [](const std::string& bytes, const std::string& says) {
    Portfolio q("10"_d);
    try {
      q.restore(bytes);
      ADD_FAILURE() << "accepted: " << says;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
    EXPECT_EQ(q.cash(), "10"_d);
    EXPECT_TRUE(q.positions().empty());
    q.restore(Portfolio(Money{}).snapshot());  // still fresh: a good one is taken
  };
  refused(good.substr(0, good.size() - 3), "ends early");
  refused(good + "x", "1 bytes after the end");
  refused("XXXX" + good.substr(4), "no TBPF magic");
  std::string v2 = good;
  v2[4] = 2;
  refused(v2, "version 2");
  Portfolio used("10"_d);
  used.apply(fill(Side::buy, "1", "1", "0"));
  EXPECT_THROW(used.restore(good), std::logic_error);
}
