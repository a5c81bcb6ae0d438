#include "tradebus/model/kline_interval.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace tradebus {
namespace {

TEST(KlineInterval, NamesAndLengthsAgree) {
  EXPECT_EQ(interval_length_ms("1m"), 60'000);
  EXPECT_EQ(interval_length_ms("1M"), 2'592'000'000);
  EXPECT_FALSE(interval_length_ms("7m"));
  EXPECT_FALSE(interval_length_ms(""));
  EXPECT_EQ(interval_of_length_ms(300'000), "5m");
  EXPECT_EQ(interval_of_length_ms(299'999), "");

  // The list quoted in error messages holds every interval once, shortest first.
  std::istringstream names{std::string(interval_names())};
  std::vector<std::string> seen;
  std::int64_t previous = 0;
  for (std::string n; names >> n;) {
    const auto ms = interval_length_ms(n);
    ASSERT_TRUE(ms) << n;
    EXPECT_GT(*ms, previous) << n;
    EXPECT_EQ(interval_of_length_ms(*ms), n);
    previous = *ms;
    seen.push_back(n);
  }
  EXPECT_EQ(seen.size(), 16u);
  EXPECT_EQ(seen.front(), "1s");
  EXPECT_EQ(seen.back(), "1M");
}

}  // namespace
}  // namespace tradebus
