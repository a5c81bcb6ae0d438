#include "tradebus/model/decimal.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

using namespace tradebus;
using namespace tradebus::literals;

TEST(Decimal, ParsesAndPrintsExactly) {
  EXPECT_EQ(Decimal::from_string("7195.24000000").raw(), 719'524'000'000);
  EXPECT_EQ(Decimal::from_string("7195.24000000").to_string(), "7195.24");
  EXPECT_EQ(Decimal::from_string("0.00000001").raw(), 1);
  EXPECT_EQ(Decimal::from_string("-1.5").to_string(), "-1.5");
  EXPECT_EQ(Decimal::from_string("+2").to_string(), "2");
  EXPECT_EQ(Decimal::from_string("0.0").to_string(), "0");
  EXPECT_EQ(Decimal::from_string("5.").to_string(), "5");
  EXPECT_EQ(Decimal::from_string(".5").to_string(), "0.5");
  EXPECT_EQ(Decimal::from_string("117458.48000000").to_string_fixed(8), "117458.48000000");
  EXPECT_EQ(Decimal::from_string("0.1000000000").to_string(), "0.1");  // zeros beyond 8 places
}

TEST(Decimal, RejectsTextThatIsNotAnExactDecimal) {
  for (const char* bad : {"", "-", ".", "abc", "1e5", "NaN", "nan", "inf", "-inf", "1.2.3", " 1",
                          "1 ", "0.000000001", "92233720368.54775808", "1,5"})
    EXPECT_FALSE(Decimal::parse(bad).has_value()) << bad;
  EXPECT_THROW(Decimal::from_string("x"), DecimalError);
}

TEST(Decimal, RoundTripsEveryTextItPrints) {
  for (std::int64_t raw : {0LL, 1LL, -1LL, 99'999'999LL, 100'000'000LL, 123'456'789'012LL,
                           9'223'372'036'854'775'807LL, -9'223'372'036'854'775'807LL}) {
    const auto d = Decimal::from_raw(raw);
    EXPECT_EQ(Decimal::from_string(d.to_string()), d) << d.to_string();
    EXPECT_EQ(Decimal::from_string(d.to_string_fixed(8)), d);
  }
}

namespace {
// Reference for to_string_fixed, written the slow, obvious way: exact rational arithmetic on
// the decimal digits of |raw| (a string, so no integer width is involved), rounded half to even.
std::string reference_fixed(std::int64_t raw, int places) {
  const bool negative = raw < 0;
  std::string digits = std::to_string(raw);
  if (negative) digits.erase(0, 1);
  digits.insert(0, 20 - digits.size(), '0');  // |raw| as 20 digits, 8 of them fractional
  std::string kept = digits.substr(0, 12 + places);
  const std::string dropped = digits.substr(12 + places);
  const std::string half = dropped.empty() ? "" : "5" + std::string(dropped.size() - 1, '0');
  const bool round_up =
      !dropped.empty() && (dropped > half || (dropped == half && (kept.back() - '0') % 2 == 1));
  if (round_up) {
    int i = static_cast<int>(kept.size()) - 1;
    while (kept[i] == '9')
      kept[i--] = '0';
    ++kept[i];
  }
  std::string integer = kept.substr(0, 12);
  integer.erase(0, std::min(integer.find_first_not_of('0'), integer.size() - 1));
  std::string out = integer;
  if (places > 0) out += "." + kept.substr(12);
  const bool zero = kept.find_first_not_of('0') == std::string::npos;
  return negative && !zero ? "-" + out : out;
}
}  // namespace

TEST(Decimal, PrintsFixedPlacesRoundedHalfToEven) {
  EXPECT_EQ("0.005"_d.to_string_fixed(2), "0.00");
  EXPECT_EQ("0.015"_d.to_string_fixed(2), "0.02");
  EXPECT_EQ("-0.015"_d.to_string_fixed(2), "-0.02");
  EXPECT_EQ("-0.005"_d.to_string_fixed(2), "0.00");  // rounds to zero: no sign
  EXPECT_EQ("2.5"_d.to_string_fixed(0), "2");
  EXPECT_EQ("3.5"_d.to_string_fixed(0), "4");
  EXPECT_EQ("99.995"_d.to_string_fixed(2), "100.00");
  EXPECT_EQ("1.25"_d.to_string_fixed(-3), "1");  // places clamped to [0, 8]
  EXPECT_EQ("1.25"_d.to_string_fixed(12), "1.25000000");
  std::vector<std::int64_t> raws = {0,
                                    1,
                                    -1,
                                    50,
                                    -50,
                                    150,
                                    99'999'999,
                                    -100'000'000,
                                    std::numeric_limits<std::int64_t>::max(),
                                    std::numeric_limits<std::int64_t>::min(),
                                    std::numeric_limits<std::int64_t>::min() + 1};
  std::mt19937_64 rng(20261129);
  for (int i = 0; i < 20'000; ++i) {
    const std::uint64_t bits = rng();
    // Wide and narrow magnitudes, and exact halves at every number of places.
    raws.push_back(static_cast<std::int64_t>(bits));
    raws.push_back(static_cast<std::int64_t>(bits % 10'000'000'000'000) - 5'000'000'000'000);
    raws.push_back(static_cast<std::int64_t>(bits % 2'000'001) * 5 * (i % 2 ? 1 : -1) *
                   static_cast<std::int64_t>(std::pow(10, i % 8)));
  }
  for (const std::int64_t raw : raws)
    for (int places = 0; places <= 8; ++places)
      ASSERT_EQ(Decimal::from_raw(raw).to_string_fixed(places), reference_fixed(raw, places))
          << "raw " << raw << ", " << places << " places";
}

TEST(Decimal, MultipliesAndDividesWithHalfEvenRounding) {
  EXPECT_EQ(Decimal::mul("7195.24"_d, "0.01"_d), "71.9524"_d);
  // 0.00000001 * 0.5 = 0.000000005 -> half-even to 0.00000000
  EXPECT_EQ(Decimal::mul("0.00000001"_d, "0.5"_d), "0"_d);
  // 0.00000003 * 0.5 = 0.000000015 -> half-even to 0.00000002
  EXPECT_EQ(Decimal::mul("0.00000003"_d, "0.5"_d), "0.00000002"_d);
  EXPECT_EQ(Decimal::div("1"_d, "3"_d), "0.33333333"_d);
  EXPECT_EQ(Decimal::div("2"_d, "3"_d), "0.66666667"_d);
  EXPECT_EQ(Decimal::mul_ratio("71.9524"_d, 10, 10'000), "0.0719524"_d);
  EXPECT_THROW(Decimal::div("1"_d, "0"_d), DecimalError);
}

TEST(Decimal, ChecksOverflow) {
  const auto big = Decimal::from_raw(9'000'000'000'000'000'000LL);
  EXPECT_THROW(big + big, DecimalError);
  EXPECT_THROW(Decimal::mul(big, "2"_d), DecimalError);
  EXPECT_THROW(Decimal::from_int(100'000'000'000LL), DecimalError);
}

TEST(Decimal, FloorsToStep) {
  EXPECT_EQ("1.23456789"_d.floor_to("0.001"_d), "1.234"_d);
  EXPECT_EQ("-1.5"_d.floor_to("1"_d), "-2"_d);
  EXPECT_THROW("1"_d.floor_to("0"_d), DecimalError);
}

TEST(Decimal, ComparesExactly) {
  EXPECT_LT("0.1"_d, "0.10000001"_d);
  EXPECT_EQ("0.30"_d, "0.1"_d + "0.2"_d);  // where binary floating point would differ
  EXPECT_EQ(("-3"_d).sign(), -1);
}
