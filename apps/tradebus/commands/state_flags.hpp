// --state-dir DIR, --no-state and --durability: where a trading command keeps its orders,
// fills, paper exchange ledger and dead letters (see README "Guarantees").
#pragma once

#include <memory>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "tradebus/persistence/order_outbox.hpp"
#include "tradebus/persistence/state_store.hpp"

namespace tradebus::cli {

struct StateFlags {
  std::string dir = "state";
  bool none = false;
  std::string durability;
  int handler_attempts = 1;
  std::uint64_t fills_per_snapshot = OrderOutboxOptions{}.fills_per_snapshot;

  void add_to(CLI::App* cmd, bool allow_none, const char* default_durability) {
    durability = default_durability;
    cmd->add_option("--state-dir", dir,
                    "durable orders, fills and dead letters live here (./state); a restarted "
                    "run resumes from it");
    if (allow_none)
      cmd->add_flag("--no-state", none, "keep nothing on disk (a crash forgets open orders)");
    cmd->add_option("--durability", durability,
                    fmt::format("process (survives a crash of tradebus) or power (fsync each "
                                "commit: survives power loss); default {}",
                                default_durability))
        ->check(CLI::IsMember({"process", "power"}));
    cmd->add_option("--handler-attempts", handler_attempts,
                    "calls of a failing handler per event before it is dead-lettered (1)")
        ->check(CLI::Range(1, 100));
    cmd->add_option("--fills-per-snapshot", fills_per_snapshot,
                    fmt::format("record the books every N fills, so a restart applies at most N "
                                "fills to them; 0: never ({})",
                                fills_per_snapshot))
        ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1'000'000'000}));
  }

  OrderOutboxOptions outbox_options() const {
    OrderOutboxOptions o;
    o.fills_per_snapshot = fills_per_snapshot;
    return o;
  }

  /// Null with --no-state; throws StateStoreError when the directory cannot be used.
  std::shared_ptr<StateStore> open() const {
    if (none) return nullptr;
    StateStoreOptions o;
    o.dir = dir;
    o.durability = parse_durability(durability);
    return std::make_shared<StateStore>(o);
  }
};

/// A setting recorded the first time a state directory is used must match later runs (a paper
/// state resumed live, or different starting cash, would make the books wrong).
inline void require_same_setting(StateStore& store, const std::string& key,
                                 const std::string& value, const std::string& what) {
  if (auto had = store.setting(key)) {
    if (*had != value)
      throw StateStoreError(
          fmt::format("state directory {} was started with {} {}; this run has {}. Use another "
                      "--state-dir for a different run",
                      store.dir().string(), what, *had, value));
    return;
  }
  store.put_setting(key, value);
}

}  // namespace tradebus::cli
