// `--journal`, `tradebus journal cat` and `tradebus replay` as a user runs them.
#include <gtest/gtest.h>

#include "support/cli_run.hpp"

using namespace tradebus;
using test::field;
using test::run_cli;

TEST(JournalCli, ABacktestJournalReplaysToTheSameSignalsAndOrders) {
  const auto dir = test::scratch_dir("journal_cli");
  const std::string strat = " --fast 5 --slow 20 --synthetic-candles 3000";
  const auto bt = run_cli("backtest --json --no-progress --journal " + dir + "/j" + strat);
  ASSERT_EQ(bt.exit_code, 0) << bt.err;

  const auto cat = run_cli("journal cat " + dir + "/j");
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  const auto lines = std::count(cat.out.begin(), cat.out.end(), '\n');
  const auto candles = std::stoll(field(bt.out, "candles"));
  EXPECT_GE(lines, candles + std::stoll(field(bt.out, "signals")));
  const auto fills = run_cli("journal cat --type ORDER_FILLED " + dir + "/j");
  EXPECT_EQ(std::count(fills.out.begin(), fills.out.end(), '\n'),
            std::stoll(field(bt.out, "fills")));

  const auto same = run_cli("replay --json " + dir + "/j --fast 5 --slow 20");
  ASSERT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_EQ(field(same.out, "identical"), "true");
  EXPECT_EQ(field(same.out, "signals"), field(bt.out, "signals"));
  EXPECT_EQ(field(same.out, "orders"), field(bt.out, "orders"));

  const auto other = run_cli("replay " + dir + "/j --fast 6 --slow 20");
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.out.find("different:"), std::string::npos) << other.out;

  const auto missing = run_cli("replay " + dir + "/nope");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("not a directory"), std::string::npos) << missing.err;
}
