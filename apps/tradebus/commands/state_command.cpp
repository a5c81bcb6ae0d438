// `tradebus dlq list|retry|drop` and `tradebus orders`: look into a state directory while no
// run holds it (the directory lock keeps a running engine's state to itself).
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "tradebus/model/event_json.hpp"
#include "tradebus/model/time_format.hpp"
#include "tradebus/persistence/dead_letter_store.hpp"
#include "tradebus/persistence/order_outbox.hpp"

namespace tradebus::cli {
namespace {

struct StateCommandFlags {
  std::string dir = "state";
  std::int64_t id = 0;
  bool open_only = false;
};

std::shared_ptr<StateStore> open_existing(const std::string& dir) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "state.db"))
    throw StateStoreError(fmt::format("{}: no state here (no state.db)", dir));
  StateStoreOptions o;
  o.dir = dir;
  return std::make_shared<StateStore>(o);
}

template <class F>
int guarded(const char* cmd, F&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    std::cerr << cmd << ": " << e.what() << "\n";
    return 1;
  }
}

int dlq_list(const StateCommandFlags& f) {
  return guarded("tradebus dlq list", [&] {
    DeadLetterStore letters(open_existing(f.dir));
    for (const DeadLetter& d : letters.list())
      std::cout
          << fmt::format(
                 R"({{"id":{},"recorded":"{}","handler":"{}","attempts":{},"state":"{}","error":"{}","event":{}}})",
                 d.id, format_utc(d.recorded_ns, true), json_escape(d.handler), d.attempts, d.state,
                 json_escape(d.error), to_json(d.event))
          << '\n';
    return 0;
  });
}

int dlq_change(const StateCommandFlags& f, bool retry) {
  const char* cmd = retry ? "tradebus dlq retry" : "tradebus dlq drop";
  return guarded(cmd, [&] {
    DeadLetterStore letters(open_existing(f.dir));
    const bool ok = retry ? letters.mark_for_retry(f.id) : letters.drop(f.id);
    if (!ok) {
      std::cerr << fmt::format("{}: no dead letter {} in {}\n", cmd, f.id, f.dir);
      return 1;
    }
    std::cout << (retry ? fmt::format("dead letter {} goes back to its handler when the next run "
                                      "on {} starts\n",
                                      f.id, f.dir)
                        : fmt::format("dead letter {} dropped\n", f.id));
    return 0;
  });
}

int orders(const StateCommandFlags& f) {
  return guarded("tradebus orders", [&] {
    OrderOutbox box(open_existing(f.dir));
    box.load();
    for (const Order& o : box.all_orders())
      if (!f.open_only || !is_final(o.status)) std::cout << to_json(o) << '\n';
    return 0;
  });
}

}  // namespace

void add_state_commands(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<StateCommandFlags>();
  auto* dlq = app.add_subcommand("dlq", "Dead letters: events a handler gave up on");
  dlq->require_subcommand(1);
  auto* list = dlq->add_subcommand("list", "print the dead letters as JSON lines");
  auto* retry = dlq->add_subcommand("retry", "hand a letter back to its handler on the next run");
  auto* drop = dlq->add_subcommand("drop", "delete a letter");
  for (auto* c : {list, retry, drop})
    c->add_option("--state-dir", f->dir, "the run's state directory (./state)");
  for (auto* c : {retry, drop})
    c->add_option("ID", f->id, "the letter's id (dlq list)")->required();
  list->callback([f, &exit_code] { exit_code = dlq_list(*f); });
  retry->callback([f, &exit_code] { exit_code = dlq_change(*f, true); });
  drop->callback([f, &exit_code] { exit_code = dlq_change(*f, false); });

  auto* ord = app.add_subcommand("orders", "print the recorded orders as JSON lines");
  ord->add_option("--state-dir", f->dir, "the run's state directory (./state)");
  ord->add_flag("--open", f->open_only, "only orders not in a final state");
  ord->callback([f, &exit_code] { exit_code = orders(*f); });
}

}  // namespace tradebus::cli
