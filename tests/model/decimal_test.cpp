#include "tradebus/model/decimal.hpp"

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
