// `tradebus fetch-klines`: download kline history through REST into the data-dump CSV layout
// that `tradebus backtest --data` reads.
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "progress_line.hpp"
#include "tradebus/adapters/binance/kline_history.hpp"
#include "tradebus/adapters/binance/rest_client.hpp"
#include "tradebus/backtest/atomic_file.hpp"
#include "tradebus/marketdata/kline_csv_writer.hpp"
#include "tradebus/model/kline_interval.hpp"
#include "tradebus/model/time_format.hpp"

namespace tradebus::cli {
namespace {

struct FetchFlags {
  std::string symbol, interval = "1m", start, end, out;
  std::string rest_url{binance::kBinanceRestUrl};
  std::string ca_file;
  bool no_progress = false;
};

int run_fetch_klines_command(const FetchFlags& f) {
  try {
    const auto step = interval_length_ms(f.interval);
    if (!step)
      throw std::invalid_argument(fmt::format(
          "--interval: '{}' is not a Binance kline interval ({})", f.interval, interval_names()));
    for (char c : f.symbol)
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
        throw std::invalid_argument(
            fmt::format("--symbol '{}': expected upper-case letters and digits", f.symbol));
    const auto start = parse_utc(f.start);
    const auto end = parse_utc(f.end);
    if (!start)
      throw std::invalid_argument(fmt::format("--start '{}': not an ISO date/time", f.start));
    if (!end) throw std::invalid_argument(fmt::format("--end '{}': not an ISO date/time", f.end));
    if (*end <= *start) throw std::invalid_argument("--end must be after --start");
    const std::int64_t start_ms = *start / 1'000'000;
    const std::int64_t end_ms = *end / 1'000'000 - 1;  // --end is exclusive

    binance::RestClientOptions ro;
    ro.url = f.rest_url;
    ro.ca_file = f.ca_file;
    binance::RestClient rest(ro);
    AtomicFile out(f.out);  // appears complete or not at all
    ProgressLine bar(!f.no_progress && ::isatty(STDERR_FILENO));
    std::uint64_t rows = 0;
    binance::fetch_klines(
        rest, Symbol(f.symbol), Interval(f.interval), start_ms, end_ms,
        [&](const std::vector<Candle>& page) {
          for (const Candle& c : page)
            write_kline_csv_row(out.stream(), c);
          rows += page.size();
          const double done = static_cast<double>(page.back().open_time_ns / 1'000'000 - start_ms) /
                              static_cast<double>(end_ms - start_ms + 1);
          bar.update(std::min(1.0, done), rows);
        });
    bar.finish();
    out.commit();
    std::cout << fmt::format("wrote {} candles of {} {} to {}\n", rows, f.symbol, f.interval,
                             f.out);
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "tradebus fetch-klines: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tradebus fetch-klines: error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

void add_fetch_klines_command(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<FetchFlags>();
  auto* cmd = app.add_subcommand("fetch-klines", "Download kline history into a CSV file");
  cmd->add_option("--symbol", f->symbol, "symbol, like BTCUSDT")->required();
  cmd->add_option("--interval", f->interval, "kline interval (1m)");
  cmd->add_option("--start", f->start,
                  "first open time, ISO 8601 UTC (2024-01-01 or 2024-01-01T00:00:00)")
      ->required();
  cmd->add_option("--end", f->end, "end (exclusive), ISO 8601 UTC")->required();
  cmd->add_option("--out", f->out, "CSV file to write")->required();
  cmd->add_option("--rest-url", f->rest_url, "REST API base URL");
  cmd->add_option("--ca-file", f->ca_file, "PEM CA bundle to trust instead of the system store");
  cmd->add_flag("--no-progress", f->no_progress, "no progress bar on a terminal");
  cmd->callback([f, &exit_code] { exit_code = run_fetch_klines_command(*f); });
}

}  // namespace tradebus::cli
