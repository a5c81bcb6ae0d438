// The tradebus subcommands; each registers itself on the CLI11 app and sets `exit_code`.
#pragma once

namespace CLI {
class App;
}

namespace tradebus::cli {

void add_backtest_command(CLI::App& app, int& exit_code);
void add_demo_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_live_commands(CLI::App& app, int& exit_code);       // paper, live, execute
void add_scale_out_commands(CLI::App& app, int& exit_code);  // collect, strategy
void add_fetch_klines_command(CLI::App& app, int& exit_code);
void add_journal_commands(CLI::App& app, int& exit_code);  // journal cat, replay
void add_state_commands(CLI::App& app, int& exit_code);    // dlq, orders

}  // namespace tradebus::cli
