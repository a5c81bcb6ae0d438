#include "tradebus/backtest/backtest_report.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "tradebus/backtest/atomic_file.hpp"
#include "tradebus/model/time_format.hpp"

namespace tradebus {
namespace {

constexpr double kW = 960, kH = 240, kPadL = 70, kPadR = 10, kPadT = 10, kPadB = 24;

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

struct Frame {
  std::int64_t t0, t1;
  double v0, v1;
  double x(std::int64_t t) const {
    return kPadL + (t1 == t0 ? 0.5 : static_cast<double>(t - t0) / static_cast<double>(t1 - t0)) *
                       (kW - kPadL - kPadR);
  }
  double y(double v) const {
    return kPadT + (v1 == v0 ? 0.5 : (v1 - v) / (v1 - v0)) * (kH - kPadT - kPadB);
  }
};

Frame frame_of(const std::vector<SeriesPoint>& pts) {
  Frame f{pts.front().time_ns, pts.back().time_ns, std::numeric_limits<double>::max(),
          std::numeric_limits<double>::lowest()};
  for (const auto& p : pts)
    f.v0 = std::min(f.v0, p.value), f.v1 = std::max(f.v1, p.value);
  const double pad = (f.v1 - f.v0) * 0.05;
  f.v0 -= pad;
  f.v1 += pad;
  return f;
}

std::string axes(const Frame& f, const char* fmt_spec) {
  std::string s;
  s += fmt::format(R"(<line class="axis" x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)", kPadL, kPadT,
                   kH - kPadB);
  s += fmt::format(R"(<line class="axis" x1="{0}" y1="{1}" x2="{2}" y2="{1}"/>)", kPadL, kH - kPadB,
                   kW - kPadR);
  s += fmt::format(R"(<text class="lbl" x="{}" y="{}" text-anchor="end">{}</text>)", kPadL - 4,
                   kPadT + 10, fmt::format(fmt::runtime(fmt_spec), f.v1));
  s += fmt::format(R"(<text class="lbl" x="{}" y="{}" text-anchor="end">{}</text>)", kPadL - 4,
                   kH - kPadB, fmt::format(fmt::runtime(fmt_spec), f.v0));
  s += fmt::format(R"(<text class="lbl" x="{}" y="{}">{}</text>)", kPadL, kH - 6, format_utc(f.t0));
  s += fmt::format(R"(<text class="lbl" x="{}" y="{}" text-anchor="end">{}</text>)", kW - kPadR,
                   kH - 6, format_utc(f.t1));
  return s;
}

std::string polyline(const std::vector<SeriesPoint>& pts, const Frame& f, const char* cls) {
  std::string s = fmt::format(R"(<polyline class="{}" points=")", cls);
  for (const auto& p : pts)
    s += fmt::format("{:.1f},{:.1f} ", f.x(p.time_ns), f.y(p.value));
  s += R"("/>)";
  return s;
}

std::string chart(const std::string& id, const std::string& title,
                  const std::vector<SeriesPoint>& pts, const char* cls, const char* fmt_spec,
                  const std::string& extra_builder = {}, bool from_zero = false) {
  std::string s =
      fmt::format(R"(<section class="chart" id="{}"><h2>{}</h2>)", id, html_escape(title));
  if (pts.empty()) return s + "<p>No data.</p></section>";
  s += fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img">)", kW,
                   kH);
  Frame f = frame_of(pts);
  if (from_zero) f.v0 = 0;  // a drawdown axis starts at zero
  s += axes(f, fmt_spec) + polyline(pts, f, cls) + extra_builder;
  return s + "</svg></section>";
}

}  // namespace

std::string render_backtest_report(const BacktestResult& r, const BacktestConfig& cfg) {
  std::string h;
  h +=
      R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>tradebus backtest report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:22px}h2{font-size:16px;margin:18px 0 6px}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}
svg{width:100%;max-width:960px;background:#fff;border:1px solid #ddd}
.axis{stroke:#999;stroke-width:1}.lbl{font-size:11px;fill:#555}
.equity{fill:none;stroke:#1f6feb;stroke-width:1.5}.dd{fill:none;stroke:#d1242f;stroke-width:1.2}
.price{fill:none;stroke:#444;stroke-width:1}.buy{fill:#1a7f37}.sell{fill:#d1242f}
.note{color:#666}
</style></head><body>
<h1>tradebus backtest report</h1>
)";
  std::string syms, strats;
  for (const auto& s : r.symbols)
    syms += (syms.empty() ? "" : ", ") + s;
  for (const auto& s : r.strategies)
    strats += (strats.empty() ? "" : ", ") + s;
  const double ret =
      r.initial_capital.is_zero()
          ? 0
          : (r.final_equity - r.initial_capital).to_double() / r.initial_capital.to_double();
  h += R"(<section id="summary"><h2>Summary</h2><table>)";
  auto row = [&](std::string_view k, const std::string& v) {
    h += fmt::format("<tr><th>{}</th><td>{}</td></tr>", html_escape(k), html_escape(v));
  };
  row("Symbols", syms);
  row("Strategies", strats);
  row("Candles", std::to_string(r.candles));
  row("Signals", std::to_string(r.signals));
  row("Orders / fills", fmt::format("{} / {}", r.orders, r.fills));
  row("Round trips (wins)", fmt::format("{} ({})", r.trades, r.wins));
  row("Rejected orders", std::to_string(r.rejected));
  row("Open orders at end", std::to_string(r.open_orders_at_end));
  row("Fees", r.fees.to_string() + " " + r.quote_currency);
  row("Initial capital", r.initial_capital.to_string() + " " + r.quote_currency);
  row("Final equity", r.final_equity.to_string() + " " + r.quote_currency);
  row("Return", fmt::format("{:+.4f} %", ret * 100));
  row("Max drawdown", fmt::format("{:.4f} %", r.max_drawdown * 100));
  row("Realized PnL", r.realized_pnl.to_string());
  row("Unrealized PnL", r.unrealized_pnl.to_string());
  row("Quantity / fee / slippage",
      fmt::format("{} / {} bps / {} bps", cfg.quantity.to_string(), cfg.fee_bps, cfg.slippage_bps));
  row("Elapsed", fmt::format("{:.3f} s ({:.0f} candles/s)", r.elapsed_s, r.candles_per_s));
  h += "</table></section>\n";

  h += chart("equity", "Equity (" + r.quote_currency + ")", r.equity_curve, "equity", "{:.2f}");
  h += chart("drawdown", "Drawdown (fraction of running peak)", r.drawdown_curve, "dd", "{:.4f}",
             {}, true);

  for (const auto& [sym, pts] : r.prices) {
    std::string markers;
    if (!pts.empty()) {
      const Frame f = frame_of(pts);
      for (const auto& fl : r.fill_markers) {
        if (fl.symbol != sym) continue;
        const double x = f.x(fl.time_ns), y = f.y(fl.price.to_double());
        if (fl.side == Side::buy)
          markers += fmt::format(
              R"(<path class="buy" d="M{:.1f} {:.1f}l-5 9h10z"><title>BUY {} @ {}</title></path>)",
              x, y, fl.quantity.to_string(), fl.price.to_string());
        else
          markers += fmt::format(
              R"(<path class="sell" d="M{:.1f} {:.1f}l-5 -9h10z"><title>SELL {} @ {}</title></path>)",
              x, y, fl.quantity.to_string(), fl.price.to_string());
      }
    }
    h += chart("price-" + sym, sym + " close with trades", pts, "price", "{:.2f}", markers);
  }

  h +=
      R"(<section id="round-trips"><h2>Round trips</h2><table><tr><th>Symbol</th><th>Entry</th><th>Exit</th><th>Entry cost</th><th>Exit proceeds</th><th>PnL</th></tr>)";
  for (const auto& t : r.round_trips_sample)
    h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                     html_escape(t.symbol.view()), format_utc(t.entry_time_ns),
                     format_utc(t.exit_time_ns), t.entry_cost.to_string(),
                     t.exit_proceeds.to_string(), t.pnl().to_string());
  h += "</table>";
  if (r.trades > r.round_trips_sample.size())
    h += fmt::format(R"(<p class="note">First {} of {} round trips shown.</p>)",
                     r.round_trips_sample.size(), r.trades);
  h += "</section>\n";

  h +=
      R"(<section id="trades"><h2>Fills</h2><table><tr><th>Time (UTC)</th><th>Symbol</th><th>Side</th><th>Price</th><th>Quantity</th><th>Fee</th><th>Client order id</th><th>Strategy</th></tr>)";
  for (const auto& f : r.fills_sample)
    h += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</"
        "td></tr>",
        format_utc(f.time_ns), html_escape(f.symbol.view()), to_string(f.side), f.price.to_string(),
        f.quantity.to_string(), f.fee.to_string(), html_escape(f.client_order_id.view()),
        html_escape(f.strategy_id.view()));
  h += "</table>";
  if (r.fills > r.fills_sample.size())
    h += fmt::format(R"(<p class="note">First {} of {} fills shown; the trades CSV has all.</p>)",
                     r.fills_sample.size(), r.fills);
  h += "</section>\n</body></html>\n";
  return h;
}

void write_backtest_report(const std::string& path, const BacktestResult& r,
                           const BacktestConfig& cfg) {
  write_file_atomically(path, render_backtest_report(r, cfg));
}

}  // namespace tradebus
