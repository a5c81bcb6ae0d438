// tradebus: the command-line program. main = logging set-up + subcommands; each command wires
// library components and nothing more.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "tradebus/observability/json_logs.hpp"

int main(int argc, char** argv) {
  // Logs go to stderr so that --json output on stdout stays one clean object.
  auto logger = spdlog::stderr_color_mt("tradebus");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{"tradebus: event-driven trading engine for crypto markets"};
  app.require_subcommand(1);
  std::string level = "warn";
  app.add_option("--log-level", level, "trace, debug, info, warn, error, critical, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "text (default) or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}));
  app.parse_complete_callback([&] {
    spdlog::set_level(spdlog::level::from_str(level));
    if (log_format == "json") tradebus::use_json_logs();
  });

  int exit_code = 0;
  tradebus::cli::add_backtest_command(app, exit_code);
  tradebus::cli::add_demo_command(app, exit_code);
  tradebus::cli::add_bench_command(app, exit_code);
  tradebus::cli::add_live_commands(app, exit_code);
  tradebus::cli::add_scale_out_commands(app, exit_code);
  tradebus::cli::add_fetch_klines_command(app, exit_code);
  tradebus::cli::add_journal_commands(app, exit_code);
  tradebus::cli::add_state_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
