#include "tradebus/backtest/backtest_report.hpp"

#include <regex>

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/test_paths.hpp"

using namespace tradebus;

TEST(BacktestReport, RendersChartsTablesAndMarkersSelfContained) {
  BacktestConfig cfg;
  cfg.synthetic.candles_per_symbol = 3000;
  const auto r = run_backtest(cfg);
  ASSERT_GT(r.fills, 0u);
  const std::string html = render_backtest_report(r, cfg);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* id :
       {"id=\"summary\"", "id=\"equity\"", "id=\"drawdown\"", "id=\"price-BTCUSDT\"",
        "id=\"price-ETHUSDT\"", "id=\"price-SOLUSDT\"", "id=\"trades\"", "id=\"round-trips\""})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_NE(html.find("class=\"equity\" points=\""), std::string::npos);
  EXPECT_NE(html.find("class=\"buy\""), std::string::npos);
  EXPECT_NE(html.find("class=\"sell\""), std::string::npos);
  EXPECT_NE(html.find(r.final_equity.to_string()), std::string::npos);
  // Self-contained: no scripts, no external resources.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  const std::regex external(R"((src|href)\s*=\s*"https?:)");
  EXPECT_FALSE(std::regex_search(html, external));
  // One table row per sampled fill.
  std::size_t rows = 0;
  for (auto p = html.find("<tr><td>", html.find("id=\"trades\"")); p != std::string::npos;
       p = html.find("<tr><td>", p + 1))
    ++rows;
  EXPECT_EQ(rows, r.fills_sample.size());
}

TEST(BacktestReport, WritesAtomically) {
  const auto dir = test::scratch_dir("report_write");
  BacktestConfig cfg;
  cfg.synthetic.candles_per_symbol = 200;
  const auto r = run_backtest(cfg);
  write_backtest_report(dir + "/r.html", r, cfg);
  EXPECT_NE(test::read_file(dir + "/r.html").find("</html>"), std::string::npos);
  // Missing folders are made; a folder that is a file is a clear error, and nothing is left.
  write_backtest_report(dir + "/new/dir/r.html", r, cfg);
  EXPECT_NE(test::read_file(dir + "/new/dir/r.html").find("</html>"), std::string::npos);
  test::write_file(dir + "/plain", "x");
  try {
    write_backtest_report(dir + "/plain/r.html", r, cfg);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write " + dir + "/plain/r.html"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(test::read_file(dir + "/plain"), "x");
}
