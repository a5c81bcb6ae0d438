// A served run from the outside: /metrics scraped during `tradebus paper` (names, types,
// counters that move), the dashboard loaded in headless Chromium (charts and tables filled, a
// screenshot kept), JSON logs without secrets, and no public bind unless asked for.
#include <filesystem>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "fake_binance.hpp"
#include "support/child_process.hpp"
#include "support/cli_run.hpp"
#include "support/fake_market.hpp"
#include "support/http_get.hpp"
#include "support/test_paths.hpp"

using namespace tradebus;

namespace {

fakes::FakeBinanceOptions steady_market() {
  fakes::FakeBinanceOptions o;
  o.candle_period = std::chrono::milliseconds(20);
  o.updates_per_candle = 1;
  return o;
}

// The address a served run printed on stderr, once it has.
std::string served_address(const test::ChildProcess& run) {
  std::string addr;
  test::eventually(
      [&] {
        static const std::regex re("serving metrics and dashboard on http://([0-9.]+:[0-9]+)/");
        std::smatch m;
        const std::string err = run.err();
        if (!std::regex_search(err, m, re)) return false;
        addr = m[1];
        return true;
      },
      std::chrono::seconds(20));
  return addr;
}

double sample_value(const std::string& text, const std::string& series) {
  const auto p = text.find("\n" + series + " ");
  if (p == std::string::npos) return -1;
  return std::stod(text.substr(p + series.size() + 2));
}

std::string chromium() {
  for (const char* c : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (std::filesystem::exists(c)) return c;
  return {};
}

class ServedPaperRun : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = std::make_unique<fakes::FakeBinance>(steady_market());
    for (const char* s : {"BTCUSDT", "ETHUSDT"})
      fake_->add_symbol(test::fake_symbol(s, test::wave_candles(s, 100'000)));
    fake_->start();
    dir_ = test::scratch_dir("served_paper");
    run_ = std::make_unique<test::ChildProcess>(
        TRADEBUS_BINARY,
        std::vector<std::string>{"paper", "--symbols", "BTCUSDT,ETHUSDT", "--fast", "2", "--slow",
                                 "5", "--serve", "0", "--no-state", "--ws-url", fake_->ws_url(),
                                 "--rest-url", fake_->rest_url()},
        dir_ + "/out.txt", dir_ + "/err.txt");
    addr_ = served_address(*run_);
    ASSERT_FALSE(addr_.empty()) << run_->err();
  }
  void TearDown() override {
    run_->signal(SIGTERM);
    EXPECT_TRUE(run_->wait_for(std::chrono::seconds(20)));
    EXPECT_EQ(run_->wait(), 0) << run_->err();
  }

  std::unique_ptr<fakes::FakeBinance> fake_;
  std::string dir_, addr_;
  std::unique_ptr<test::ChildProcess> run_;
};

TEST_F(ServedPaperRun, MetricsAreScrapedAndCountersMove) {
  EXPECT_EQ(addr_.rfind("127.0.0.1:", 0), 0u);
  ASSERT_TRUE(test::eventually([&] {
    return sample_value(test::http_get(addr_, "/metrics").body, "tradebus_candles_total") >= 4;
  }));
  const auto first = test::http_get(addr_, "/metrics");
  ASSERT_EQ(first.status, 200);
  for (const char* family :
       {"# TYPE tradebus_queue_depth gauge", "# TYPE tradebus_queue_capacity gauge",
        "# TYPE tradebus_queue_published_total counter",
        "# TYPE tradebus_queue_dropped_total counter",
        "# TYPE tradebus_queue_block_timeouts_total counter",
        "# TYPE tradebus_handler_calls_total counter",
        "# TYPE tradebus_handler_errors_total counter",
        "# TYPE tradebus_handler_latency_seconds histogram",
        "# TYPE tradebus_events_per_second gauge", "# TYPE tradebus_ws_connects_total counter",
        "# TYPE tradebus_ws_messages_total counter",
        "# TYPE tradebus_ws_parse_errors_total counter", "# TYPE tradebus_orders_total counter",
        "# TYPE tradebus_position gauge", "# TYPE tradebus_cash gauge",
        "# TYPE tradebus_equity gauge", "# TYPE tradebus_realized_pnl gauge"})
    EXPECT_NE(first.body.find(family), std::string::npos) << family;
  const double candles = sample_value(first.body, "tradebus_candles_total");
  const double messages = sample_value(first.body, "tradebus_ws_messages_total");
  ASSERT_TRUE(test::eventually([&] {
    const auto later = test::http_get(addr_, "/metrics").body;
    return sample_value(later, "tradebus_candles_total") > candles &&
           sample_value(later, "tradebus_ws_messages_total") > messages;
  })) << "counters did not move";
  const auto ready = test::http_get(addr_, "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(test::http_get(addr_, "/healthz").status, 200);
}

TEST_F(ServedPaperRun, TheDashboardRendersInAHeadlessBrowser) {
  const std::string browser = chromium();
  if (browser.empty()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh)";
  // Let some trades happen first, so the tables have rows.
  ASSERT_TRUE(test::eventually([&] {
    return test::http_get(addr_, "/api/state").body.find("\"symbol\":\"BTCUSDT\"") !=
           std::string::npos;
  }));
  const std::string flags =
      " --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,900 "
      "--virtual-time-budget=5000 ";
  const auto dom = test::run_cli_command(browser + flags + "--dump-dom http://" + addr_ + "/");
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_NE(dom.out.find("data-ready=\"1\""), std::string::npos) << "no poll filled the page";
  EXPECT_NE(dom.out.find("<td>BTCUSDT</td>"), std::string::npos) << "positions table empty";
  EXPECT_NE(dom.out.find("<td>ETHUSDT</td>"), std::string::npos);
  const std::regex drawn("id=\"depth\" data-points=\"([1-9][0-9]*)\"");
  EXPECT_TRUE(std::regex_search(dom.out, drawn)) << "the queue chart drew nothing";
  EXPECT_NE(dom.out.find("id=\"latency-legend\"><span"), std::string::npos)
      << "no handler latency series";

  const std::string shot =
      (std::filesystem::path(TRADEBUS_TEST_TMP).parent_path() / "dashboard.png").string();
  std::filesystem::remove(shot);
  const auto png =
      test::run_cli_command(browser + flags + "--screenshot=" + shot + " http://" + addr_ + "/");
  ASSERT_EQ(png.exit_code, 0) << png.err;
  ASSERT_TRUE(std::filesystem::exists(shot));
  EXPECT_GT(std::filesystem::file_size(shot), 10'000u) << "a blank screenshot";
  std::cout << "dashboard screenshot: " << shot << std::endl;
}

TEST(ServeCli, RefusesAPublicAddressUnlessAskedTo) {
  const auto r = test::run_cli("backtest --no-progress --serve 0.0.0.0:0 --synthetic-candles 10");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("refusing to serve on 0.0.0.0"), std::string::npos) << r.err;
  const auto bad = test::run_cli("backtest --no-progress --serve 127.0.0.1:99999");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("[ADDR:]PORT"), std::string::npos) << bad.err;
}

TEST(LogsCli, JsonLogLinesCarryNoSecret) {
  fakes::FakeBinance fake(steady_market());
  fake.add_symbol(test::fake_symbol("BTCUSDT", test::wave_candles("BTCUSDT", 400)));
  fake.start();
  fake.push_order_fault(fakes::OrderFault::error_500_after_accept);  // logs the order path
  const auto dir = test::scratch_dir("json_logs");
  const auto r = test::run_cli(
      "--log-level debug --log-format json live --confirm-live --symbols BTCUSDT --fast 2 --slow "
      "5 --max-candles 60 --recv-window-ms 300 --json --state-dir " +
          dir + " --ws-url " + fake.ws_url() + " --rest-url " + fake.rest_url(),
      "BINANCE_API_KEY=fake-api-key BINANCE_API_SECRET=fake-api-secret ");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t lines = 0;
  std::istringstream in(r.err);
  for (std::string line; std::getline(in, line);) {
    ++lines;
    EXPECT_EQ(line.rfind("{\"time\":\"", 0), 0u) << line;
    EXPECT_EQ(line.back(), '}') << line;
    EXPECT_NE(line.find("\"level\":\""), std::string::npos) << line;
  }
  EXPECT_GE(lines, 5u) << "debug logging produced too little to judge";
  EXPECT_NE(r.err.find("outcome unknown"), std::string::npos);
  EXPECT_EQ(r.err.find("fake-api-secret"), std::string::npos) << "the secret reached the logs";
  EXPECT_EQ(r.out.find("fake-api-secret"), std::string::npos);
}

}  // namespace
