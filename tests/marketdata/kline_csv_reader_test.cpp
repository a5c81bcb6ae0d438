#include "tradebus/marketdata/kline_csv_reader.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/test_paths.hpp"

using namespace tradebus;
using namespace tradebus::literals;

namespace {

std::vector<Candle> read_all(const std::string& path, const char* symbol = "BTCUSDT") {
  KlineCsvReader r(path, symbol);
  std::vector<Candle> out;
  for (Candle c; r.next(c);)
    out.push_back(c);
  return out;
}

// Expects reading `content` to fail at `line` with a message containing `what`.
void expect_bad(const std::string& name, const std::string& content, std::uint64_t line,
                const std::string& what) {
  const auto dir = test::scratch_dir("bad_csv");
  const auto path = test::write_file(dir + "/" + name + ".csv", content);
  try {
    read_all(path);
    ADD_FAILURE() << name << ": no error";
  } catch (const DataError& e) {
    EXPECT_EQ(e.file(), path) << name;
    EXPECT_EQ(e.line(), line) << name << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << name << ": " << e.what();
    EXPECT_EQ(std::string(e.what()).rfind(path + ":" + std::to_string(line) + ": ", 0), 0u)
        << e.what();
  }
}

}  // namespace

TEST(KlineCsvReader, ReadsMillisecondFilesExactly) {
  TRADEBUS_REQUIRE_SHARED(path, "klines_csv/spot_1m/BTCUSDT-1m-2020-01-01.csv");
  KlineCsvReader r(path, "BTCUSDT");
  Candle c;
  ASSERT_TRUE(r.next(c));
  // 1577836800000,7195.24000000,7196.25000000,7183.14000000,7186.68000000,51.64281200,
  // 1577836859999,371233.51835535,493,19.59823000,140888.41428273,0
  EXPECT_EQ(c.symbol.view(), "BTCUSDT");
  EXPECT_EQ(c.interval.view(), "1m");
  EXPECT_EQ(c.open_time_ns, 1577836800000LL * 1'000'000);
  EXPECT_EQ(c.close_time_ns, 1577836859999LL * 1'000'000);
  EXPECT_EQ(c.open, "7195.24"_d);
  EXPECT_EQ(c.high, "7196.25"_d);
  EXPECT_EQ(c.low, "7183.14"_d);
  EXPECT_EQ(c.close, "7186.68"_d);
  EXPECT_EQ(c.volume, "51.642812"_d);
  EXPECT_EQ(c.quote_volume, "371233.51835535"_d);
  EXPECT_EQ(c.trade_count, 493);
  EXPECT_EQ(c.taker_buy_base_volume, "19.59823"_d);
  EXPECT_EQ(c.taker_buy_quote_volume, "140888.41428273"_d);
  EXPECT_EQ(r.time_unit(), TimeUnit::milliseconds);
  EXPECT_FALSE(r.had_header());
  std::size_t n = 1;
  while (r.next(c))
    ++n;
  EXPECT_EQ(n, 1440u);
  EXPECT_EQ(r.bytes_consumed(), r.file_size());
}

TEST(KlineCsvReader, ReadsMicrosecondFiles) {
  TRADEBUS_REQUIRE_SHARED(path, "klines_csv/spot_1m/BTCUSDT-1m-2025-07-13.csv");
  KlineCsvReader r(path, "BTCUSDT");
  Candle c;
  ASSERT_TRUE(r.next(c));
  EXPECT_EQ(r.time_unit(), TimeUnit::microseconds);
  EXPECT_EQ(c.open_time_ns, 1752364800000000LL * 1000);
  EXPECT_EQ(c.close_time_ns, 1752364859999999LL * 1000);
  EXPECT_EQ(c.close, "117458.48"_d);
  std::size_t n = 1;
  while (r.next(c))
    ++n;
  EXPECT_EQ(n, 1440u);
}

TEST(KlineCsvReader, SkipsAHeaderLine) {
  TRADEBUS_REQUIRE_SHARED(
      path,
      "klines_csv/futures_um_1m_contrast/BTCUSDT-1m-2023-04-15__usdm_futures_with_header.csv");
  KlineCsvReader r(path, "BTCUSDT");
  Candle c;
  ASSERT_TRUE(r.next(c));
  EXPECT_TRUE(r.had_header());
  EXPECT_EQ(c.open, "30453"_d);
  EXPECT_EQ(c.volume, "174.12"_d);
  std::size_t n = 1;
  while (r.next(c))
    ++n;
  EXPECT_EQ(n, 1440u);
}

TEST(KlineCsvReader, ReadsHourlyFilesWithExchangeAnomalies) {
  TRADEBUS_REQUIRE_SHARED(path, "klines_csv/spot_1h/BTCUSDT-1h-2021-Q1.csv");
  const auto candles = read_all(path);
  EXPECT_EQ(candles.size(), 2158u);
  EXPECT_EQ(candles[0].interval.view(), "1h");
}

TEST(KlineCsvReader, ZeroTradeCandlesAreValid) {
  TRADEBUS_REQUIRE_SHARED(path, "klines_csv/spot_1m/SOLBTC-1m-2025-07-13.csv");
  const auto candles = read_all(path, "SOLBTC");
  EXPECT_EQ(candles.size(), 1440u);
  std::size_t zero = 0;
  for (const auto& c : candles)
    zero += c.trade_count == 0;
  EXPECT_EQ(zero, 108u);  // as PROVENANCE.md says
}

TEST(KlineCsvReader, HandlesCrlfBlankLinesAndAMissingFinalNewline) {
  const auto dir = test::scratch_dir("csv_crlf");
  std::string rows = test::kline_row(0, "1", "2", "0.5", "1.5");
  rows.insert(rows.size() - 1, "\r");
  rows += "\n" + test::kline_row(1, "1", "2", "0.5", "1.5");
  rows.pop_back();  // no final newline
  const auto candles = read_all(test::write_file(dir + "/X-1m-a.csv", rows));
  ASSERT_EQ(candles.size(), 2u);
  EXPECT_EQ(candles[1].taker_buy_quote_volume, "50.1"_d);
}

TEST(KlineCsvReader, NamesFileLineAndProblemForEveryBadRow) {
  const std::string good = test::kline_row(0, "10", "11", "9", "10");
  expect_bad("columns", good + "1577836860000,1,2,3\n", 2, "expected 12 columns, found 4");
  expect_bad("columns_more", good + test::kline_row(1, "10", "11", "9", "10").insert(5, ",7"), 2,
             "columns");
  expect_bad("non_numeric", good + test::kline_row(1, "abc", "11", "9", "10"), 2,
             "column 2 (open): 'abc' is not a decimal number");
  expect_bad("high_below_low", good + test::kline_row(1, "10", "9", "11", "10"), 2,
             "high 9 is below low 11");
  expect_bad("zero_price", good + test::kline_row(1, "0", "11", "9", "10"), 2,
             "negative or zero price");
  expect_bad("negative_price", good + test::kline_row(1, "10", "11", "-9", "10"), 2,
             "negative or zero price");
  expect_bad("nan", good + test::kline_row(1, "NaN", "11", "9", "10"), 2, "'NaN' is not a decimal");
  expect_bad("inf", good + test::kline_row(1, "10", "inf", "9", "10"), 2, "'inf' is not a decimal");
  expect_bad("backwards",
             test::kline_row(5, "10", "11", "9", "10") + test::kline_row(4, "10", "11", "9", "10"),
             2, "not after the previous row");
  expect_bad("repeated", good + good, 2, "not after the previous row");
  expect_bad("seconds", "1577836800,1,2,0.5,1,1,1577836859,1,1,1,1,0\n", 1,
             "neither milliseconds nor microseconds");
  expect_bad("unit_change", good + "1577836860000000,1,2,0.5,1,1,1577836919999999,1,1,1,1,0\n", 2,
             "changes the file's timestamp unit");
  expect_bad("garbage_header", "hello world\n" + good, 1,
             "neither a kline row nor a 12-column header");
  expect_bad("negative_trades", "1577836800000,1,2,0.5,1,1,1577836859999,1,-4,1,1,0\n", 1,
             "column 9 (trades)");
  expect_bad("close_before_open", "1577836800000,1,2,0.5,1,1,1577836700000,1,1,1,1,0\n", 1,
             "close time");
  expect_bad("too_precise", good + test::kline_row(1, "10.123456789", "11", "9", "10"), 2,
             "not a decimal");
}

TEST(KlineCsvReader, MissingOrUnreadableFilesAreClearErrors) {
  try {
    KlineCsvReader r("/nonexistent/BTCUSDT-1m.csv", "BTCUSDT");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/BTCUSDT-1m.csv: cannot open"),
              std::string::npos);
  }
  const auto dir = test::scratch_dir("csv_dir");
  EXPECT_THROW(KlineCsvReader(dir, "BTCUSDT"), DataError);
}

TEST(KlineCsvReader, NamesFromPaths) {
  EXPECT_EQ(KlineCsvReader::symbol_from_path("/a/b/BTCUSDT-1m-2020-01-01.csv"), "BTCUSDT");
  EXPECT_EQ(KlineCsvReader::interval_from_path("/a/b/BTCUSDT-1h-2021-Q1.csv"), "1h");
  EXPECT_EQ(KlineCsvReader::symbol_from_path("/a/b/data.csv"), "");
  EXPECT_EQ(KlineCsvReader::interval_from_path("/a/ETH-weird-x.csv"), "");
}

// Found by kline_csv_fuzz: a close time far in the future overflowed int64 nanoseconds (UB).
TEST(KlineCsvReader, RefusesTimesBeyondTheInt64NanosecondRange) {
  expect_bad("far_close", "1700000000000,1,1,1,1,1,17000000599059999,1,1,1,1,0\n", 1,
             "out of range");
  expect_bad("far_open_ms", "99999999999999,1,1,1,1,1,99999999999999,1,1,1,1,0\n", 1,
             "out of range");
}

// The fast row parser against Decimal::parse, field by field, on numbers of every shape a file
// may hold: 1 to 11 integer digits with or without leading zeros, no point, a bare point, 1 to
// 12 places (past the eighth only zeros), and fields ending anywhere relative to the parser's
// eight-byte steps, including the line's last bytes.
TEST(KlineCsvReader, ReadsEveryNumberShapeAsDecimalParseDoes) {
  std::mt19937 rng(11);
  auto digit_run = [&](int n, bool nonzero_first) {
    std::string s;
    for (int i = 0; i < n; ++i)
      s += static_cast<char>('0' + (i == 0 && nonzero_first ? 1 + rng() % 8 : rng() % 10));
    return s;
  };
  auto number = [&] {
    std::string s;
    for (;;) {
      const int int_digits = 1 + static_cast<int>(rng() % 11);
      s = std::string(rng() % 4 == 0 ? 1 + rng() % 3 : 0, '0') +
          digit_run(int_digits, int_digits == 11);  // 11 digits: below 9e10, in range
      switch (rng() % 4) {
        case 0:
          break;
        case 1:
          s += ".";
          break;
        case 2:
          s += "." + digit_run(8, false);
          break;
        default: {
          const int places = 1 + static_cast<int>(rng() % 12);
          s += "." + digit_run(std::min(places, 8), false) +
               std::string(std::max(places - 8, 0), '0');
        }
      }
      const auto d = Decimal::parse(s);
      if (d && d->is_positive()) return s;
    }
  };
  struct Row {
    std::string open, high, low, close, volume, quote_volume, taker_base, taker_quote;
    long long trades;
  };
  std::vector<Row> rows;
  std::string text;
  for (int i = 0; i < 20'000; ++i) {
    std::array<std::string, 4> prices{number(), number(), number(), number()};
    std::sort(prices.begin(), prices.end(), [](const std::string& a, const std::string& b) {
      return Decimal::from_string(a) < Decimal::from_string(b);
    });
    Row r{prices[1], prices[3], prices[0],
          prices[2], number(),  number(),
          number(),  number(),  static_cast<long long>(rng() % 2'000'000'000) >> (rng() % 31)};
    const long long open = 1577836800000LL + i * 60000LL;
    text += std::to_string(open) + "," + r.open + "," + r.high + "," + r.low + "," + r.close + "," +
            r.volume + "," + std::to_string(open + 59999) + "," + r.quote_volume + "," +
            std::to_string(r.trades) + "," + r.taker_base + "," + r.taker_quote + "," +
            digit_run(1 + static_cast<int>(rng() % 9), false) + "\n";
    rows.push_back(r);
  }
  const auto dir = test::scratch_dir("csv_shapes");
  const auto candles = read_all(test::write_file(dir + "/X-1m-a.csv", text));
  ASSERT_EQ(candles.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const Candle& c = candles[i];
    ASSERT_EQ(c.open, Decimal::from_string(r.open)) << i << ": " << r.open;
    ASSERT_EQ(c.high, Decimal::from_string(r.high)) << i << ": " << r.high;
    ASSERT_EQ(c.low, Decimal::from_string(r.low)) << i << ": " << r.low;
    ASSERT_EQ(c.close, Decimal::from_string(r.close)) << i << ": " << r.close;
    ASSERT_EQ(c.volume, Decimal::from_string(r.volume)) << i << ": " << r.volume;
    ASSERT_EQ(c.quote_volume, Decimal::from_string(r.quote_volume)) << i;
    ASSERT_EQ(c.taker_buy_base_volume, Decimal::from_string(r.taker_base)) << i;
    ASSERT_EQ(c.taker_buy_quote_volume, Decimal::from_string(r.taker_quote)) << i;
    ASSERT_EQ(c.trade_count, r.trades) << i;
    ASSERT_EQ(c.open_time_ns, (1577836800000LL + static_cast<long long>(i) * 60000) * 1'000'000);
  }
}
