// The three scale-out roles as a user deploys them — `tradebus collect`, two `tradebus strategy`
// members and `tradebus execute` — against the fake Binance and a real redis-server: the orders
// equal those of `tradebus paper` alone on the same market, after a member is killed with
// entries in hand, and after Redis restarts mid-run.
#include <signal.h>

#include <algorithm>
#include <sstream>

#include <gtest/gtest.h>

#include "fake_binance.hpp"
#include "support/child_process.hpp"
#include "support/cli_run.hpp"
#include "support/fake_binance_flags.hpp"
#include "support/fake_market.hpp"
#include "support/redis_server.hpp"
#include "tradebus/transport/redis/stream_wire.hpp"

using namespace tradebus;
using namespace std::chrono_literals;
using test::fake_binance_flags;
using test::field;
using test::run_cli;

namespace {

const std::vector<std::string> kScaledSymbols{"BTCUSDT", "ETHUSDT", "SOLUSDT"};
constexpr std::size_t kCandles = 200;  // per symbol
const std::string kSymbolList = "BTCUSDT,ETHUSDT,SOLUSDT";
const std::string kStrategy = " --fast 5 --slow 20";

std::unique_ptr<fakes::FakeBinance> start_market(std::chrono::milliseconds period) {
  fakes::FakeBinanceOptions o;
  o.candle_period = period;
  o.updates_per_candle = 1;
  auto fake = std::make_unique<fakes::FakeBinance>(o);
  std::int64_t base = 20'000;
  for (const auto& s : kScaledSymbols) {
    fake->add_symbol(test::fake_symbol(s, test::wave_candles(s, kCandles, base)));
    base += 7'000;
  }
  fake->start();
  return fake;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    out.push_back(item);
  return out;
}

// The fills of a trades CSV without the columns that name a run (client order id, trade id),
// sorted: the same trading decisions give the same list.
std::vector<std::string> decisions(const std::string& csv_path) {
  std::vector<std::string> out;
  const auto lines = split(test::read_file(csv_path), '\n');
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    auto cols = split(lines[i], ',');
    if (cols.size() < 12) {
      ADD_FAILURE() << "short trades row: " << lines[i];
      continue;
    }
    cols.erase(cols.begin() + 11);
    cols.erase(cols.begin() + 9);
    std::string row;
    for (const auto& c : cols)
      row += c + ",";
    out.push_back(row);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// `tradebus paper` alone on the same market: the reference every deployment must match.
const std::vector<std::string>& paper_decisions() {
  static const std::vector<std::string> reference = [] {
    auto fake = start_market(10ms);
    const auto dir = test::scratch_dir("scale_out_paper");
    const auto r = run_cli("paper --symbols " + kSymbolList + kStrategy + " --max-candles " +
                           std::to_string(kCandles * kScaledSymbols.size()) + " --no-state --json" +
                           " --trades " + dir + "/trades.csv" + fake_binance_flags(*fake));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return decisions(dir + "/trades.csv");
  }();
  return reference;
}

std::unique_ptr<test::ChildProcess> start_role(const std::string& dir, const std::string& name,
                                               const std::string& args) {
  std::vector<std::string> argv;
  for (const auto& a : split(args, ' '))
    if (!a.empty()) argv.push_back(a);
  auto child = std::make_unique<test::ChildProcess>(
      TRADEBUS_BINARY, argv, dir + "/" + name + ".out", dir + "/" + name + ".err");
  EXPECT_TRUE(child->started()) << name;
  return child;
}

long long pending_of(redis::RedisConnection& c, const std::string& consumer) {
  long long n = 0;
  for (const auto& s : kScaledSymbols) {
    const auto r = c.command({"XPENDING", redis::StreamNames{}.market_data(s), "strategies"});
    if (!r.is_array() || r.elements.size() < 4 || !r.elements[3].is_array()) continue;
    for (const auto& pair : r.elements[3].elements)
      if (pair.elements.size() == 2 && pair.elements[0].str == consumer)
        n += std::stoll(pair.elements[1].str);
  }
  return n;
}

std::vector<std::string> owned_by(redis::RedisConnection& c, const std::string& member) {
  std::vector<std::string> out;
  for (const auto& s : kScaledSymbols)
    if (c.command({"GET", redis::StreamNames{}.owner("strategies", s)}).str == member)
      out.push_back(s);
  return out;
}

}  // namespace

TEST(ScaleOutCli, ThreeProcessesSurviveAKilledMemberAndTradeLikeOnePaperProcess) {
  const auto& reference = paper_decisions();
  ASSERT_GT(reference.size(), 10u);
  test::RedisServer redis_server("scale_out_kill_redis");
  auto fake = start_market(40ms);
  const auto dir = test::scratch_dir("scale_out_kill");
  const std::string r = " --redis " + redis_server.url() + " --claim-idle-ms 1000";
  const std::string total = std::to_string(kCandles * kScaledSymbols.size());
  auto a = start_role(
      dir, "a",
      "strategy --group strategies --member a --json --symbols " + kSymbolList + kStrategy + r);
  auto b = start_role(
      dir, "b",
      "strategy --group strategies --member b --json --symbols " + kSymbolList + kStrategy + r);
  auto exec = start_role(dir, "execute",
                         "execute --json --symbols " + kSymbolList + " --max-candles " + total +
                             " --state-dir " + dir + "/state --trades " + dir + "/trades.csv" + r +
                             fake_binance_flags(*fake));
  auto conn = redis_server.connect();
  // Both members hold symbols before the market starts.
  ASSERT_TRUE(test::eventually([&] {
    return owned_by(*conn, "a").size() + owned_by(*conn, "b").size() == kScaledSymbols.size() &&
           !owned_by(*conn, "a").empty() && !owned_by(*conn, "b").empty();
  })) << a->err()
      << b->err();
  auto collect = start_role(dir, "collect",
                            "collect --json --symbols " + kSymbolList + " --max-candles " + total +
                                r + fake_binance_flags(*fake));
  ASSERT_TRUE(test::eventually([&] { return fake->candles_closed("BTCUSDT") > kCandles / 4; }));

  // Kill the member holding more symbols with candles in hand: stop it, let Redis hand its
  // blocked read a candle or two (delivered, so pending under its name), then SIGKILL.
  const bool a_is_victim = owned_by(*conn, "a").size() >= owned_by(*conn, "b").size();
  auto& victim = a_is_victim ? a : b;
  auto& survivor = a_is_victim ? b : a;
  const std::string victim_name = a_is_victim ? "a" : "b";
  // The stop may land while the member is between reads (processing, heartbeating): then
  // nothing is delivered to it, so let it run a moment and stop it again.
  bool holding = false;
  for (int attempt = 0; attempt < 40 && !holding && !fake->market_finished(); ++attempt) {
    victim->signal(SIGSTOP);
    holding = test::eventually([&] { return pending_of(*conn, victim_name) > 0; }, 500ms);
    if (!holding) {
      victim->signal(SIGCONT);
      std::this_thread::sleep_for(50ms);
    }
  }
  ASSERT_TRUE(holding) << "the stopped member was never handed a candle";
  const auto left_pending = pending_of(*conn, victim_name);
  victim->signal(SIGKILL);
  EXPECT_EQ(victim->wait(), 128 + SIGKILL);

  EXPECT_TRUE(collect->wait_for(120s)) << "collector did not finish";
  EXPECT_EQ(collect->wait(), 0) << collect->err();
  ASSERT_TRUE(exec->wait_for(120s)) << "executor did not get every candle: " << exec->err();
  EXPECT_EQ(exec->wait(), 0) << exec->err();
  survivor->signal(SIGTERM);
  ASSERT_TRUE(survivor->wait_for(30s));
  EXPECT_EQ(survivor->wait(), 0) << survivor->err();

  const auto survivor_out = survivor->out();
  EXPECT_GE(std::stoll(field(survivor_out, "claimed")), left_pending) << survivor_out;
  EXPECT_GE(std::stoll(field(survivor_out, "takeovers")), 1) << survivor_out;
  EXPECT_GT(std::stoll(field(survivor_out, "warmup_candles")), 0) << survivor_out;
  const auto exec_out = exec->out();
  EXPECT_EQ(field(exec_out, "mode"), "\"execute\"");
  EXPECT_EQ(field(exec_out, "candles"), total) << exec_out;
  EXPECT_NE(exec_out.find("\"duplicates_skipped\":0"), std::string::npos) << exec_out;
  EXPECT_EQ(decisions(dir + "/trades.csv"), reference);
  EXPECT_EQ(field(collect->out(), "unsent"), "0");
}

TEST(ScaleOutCli, ARedisRestartMidRunLosesNoOrder) {
  const auto& reference = paper_decisions();
  ASSERT_GT(reference.size(), 10u);
  test::RedisServer redis_server("scale_out_restart_redis");
  auto fake = start_market(30ms);
  const auto dir = test::scratch_dir("scale_out_restart");
  const std::string r = " --redis " + redis_server.url();
  const std::string total = std::to_string(kCandles * kScaledSymbols.size());
  auto member = start_role(dir, "member",
                           "strategy --member m --json --symbols " + kSymbolList + kStrategy + r);
  auto exec = start_role(dir, "execute",
                         "execute --json --symbols " + kSymbolList + " --max-candles " + total +
                             " --state-dir " + dir + "/state --trades " + dir + "/trades.csv" + r +
                             fake_binance_flags(*fake));
  auto conn = redis_server.connect();
  ASSERT_TRUE(
      test::eventually([&] { return owned_by(*conn, "m").size() == kScaledSymbols.size(); }));
  auto collect = start_role(dir, "collect",
                            "collect --json --symbols " + kSymbolList + " --max-candles " + total +
                                r + fake_binance_flags(*fake));
  ASSERT_TRUE(test::eventually([&] { return fake->candles_closed("BTCUSDT") > kCandles / 3; }));
  conn.reset();
  redis_server.restart();

  EXPECT_TRUE(collect->wait_for(120s));
  EXPECT_EQ(collect->wait(), 0) << collect->err();
  ASSERT_TRUE(exec->wait_for(120s)) << exec->err();
  EXPECT_EQ(exec->wait(), 0) << exec->err();
  member->signal(SIGTERM);
  ASSERT_TRUE(member->wait_for(30s));
  EXPECT_EQ(member->wait(), 0) << member->err();

  EXPECT_GT(std::stoll(field(collect->out(), "redis_reconnects")), 0) << collect->out();
  EXPECT_GT(std::stoll(field(member->out(), "redis_reconnects")), 0) << member->out();
  EXPECT_EQ(field(exec->out(), "candles"), total) << exec->out();
  EXPECT_EQ(decisions(dir + "/trades.csv"), reference);
}

// An executor that sends real orders gets live's durability (fsync on every commit) unless told
// otherwise; a paper executor keeps paper's.
TEST(ScaleOutCli, ALiveExecutorSyncsEveryCommitByDefault) {
  test::RedisServer redis_server("scale_out_live_redis");
  fakes::FakeBinance fake;
  fake.add_symbol(test::fake_symbol("BTCUSDT", test::wave_candles("BTCUSDT", 10)));
  fake.start();
  const auto dir = test::scratch_dir("scale_out_live");
  const std::string common = "execute --json --symbols BTCUSDT --duration 0.5 --redis " +
                             redis_server.url() + fake_binance_flags(fake);
  const std::string keys = "BINANCE_API_KEY=fake-api-key BINANCE_API_SECRET=fake-api-secret ";
  auto r = run_cli(common + " --live --confirm-live --state-dir " + dir + "/live", keys);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(field(r.out, "durability"), "\"power\"") << r.out;
  EXPECT_NE(field(r.out, "exchange"), "<missing>") << "the Binance exchange ran: " << r.out;
  r = run_cli(common + " --live --confirm-live --durability process --state-dir " + dir + "/own",
              keys);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(field(r.out, "durability"), "\"process\"") << r.out;
  r = run_cli(common + " --state-dir " + dir + "/paper");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(field(r.out, "durability"), "\"process\"") << r.out;
  EXPECT_EQ(field(r.out, "exchange"), "<missing>") << "paper: " << r.out;
}

TEST(ScaleOutCli, BadRedisSettingsAreRefusedWithWhereAndWhat) {
  auto r = run_cli("collect --symbols BTCUSDT --duration 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("needs --redis URL"), std::string::npos) << r.err;
  r = run_cli("strategy --symbols BTCUSDT --redis http://127.0.0.1:1 --duration 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("must start with redis://"), std::string::npos) << r.err;
  r = run_cli("strategy --symbols BTCUSDT --interval 7m --redis redis://127.0.0.1:1 --duration 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--interval: '7m' is not a Binance kline interval"), std::string::npos)
      << r.err;
  const auto dir = test::scratch_dir("scale_out_bad");
  test::write_file(dir + "/bad.toml", "[redis]\nurl = \"redis://127.0.0.1:1\"\nmaxlen = 5\n");
  r = run_cli("execute --symbols BTCUSDT --state-dir " + dir + "/state --config " + dir +
              "/bad.toml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.toml:3: redis.maxlen: unknown key"), std::string::npos) << r.err;
  test::write_file(dir + "/types.toml", "[redis]\npublish = [\"ORDER_FILLED\", \"FILLS\"]\n");
  r = run_cli("strategy --symbols BTCUSDT --config " + dir + "/types.toml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'FILLS' is not an event type"), std::string::npos) << r.err;
  // A password never reaches the terminal.
  r = run_cli("collect --symbols BTCUSDT --redis redis://:hunter2@127.0.0.1:99999");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
}
