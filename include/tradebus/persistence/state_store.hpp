// StateStore: the durable state of a trading run, one SQLite database in WAL mode in a state
// directory (DIR/state.db), locked by one process at a time (DIR/LOCK). The order outbox, the
// paper exchange's ledger and the dead letters all live in it, so that one commit covers them
// all and a crash loses the same suffix of each.
//
// Group commit: writers stage records in memory and return at once; one committer thread
// writes everything staged so far in one transaction, so under load each commit carries many
// records. Records become durable in the order they were staged. wait_durable() blocks until
// what was staged before it is committed.
//
// Durability::process (synchronous=NORMAL): a commit is a write() to the WAL file; it survives
// the process being killed at any moment, but an OS crash or power loss may roll back the last
// commits. Durability::power (synchronous=FULL): every commit is fsync()ed before it counts.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace tradebus {

class StateStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Durability {
  process,  ///< Survives a process crash (synchronous=NORMAL).
  power,    ///< Survives power loss too (synchronous=FULL: fsync per commit).
};

/// "process" / "power"; throws std::invalid_argument otherwise.
Durability parse_durability(std::string_view text);
std::string_view to_string(Durability d) noexcept;

struct StateStoreOptions {
  std::filesystem::path dir = "state";
  Durability durability = Durability::process;
};

struct StateStoreStats {
  std::uint64_t commits = 0;
  /// Records committed: one per staging call (an order change, a fill with its order and any
  /// snapshot it brings), however many rows it writes.
  std::uint64_t records = 0;
  std::uint64_t largest_group = 0;  ///< Most records in one commit.
};

class StateStore {
 public:
  /// Creates DIR if needed, locks it, opens or creates the database and starts the committer.
  /// Throws StateStoreError saying which path and why (read-only, in use by pid N, not a
  /// tradebus database, newer schema).
  explicit StateStore(StateStoreOptions options);
  /// Commits what is staged, then stops.
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::filesystem::path& dir() const noexcept;
  Durability durability() const noexcept;
  /// Blocks until everything staged before the call is committed. Throws StateStoreError when
  /// the store has failed.
  void wait_durable();
  /// Empty while healthy, else the error that stopped the committer.
  std::string failure() const;
  StateStoreStats stats() const;

  /// A run's settings that must not change under existing state (e.g. the starting cash).
  std::optional<std::string> setting(const std::string& key) const;
  /// Staged like every other record.
  void put_setting(const std::string& key, const std::string& value);

  struct Impl;
  Impl& impl() noexcept { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tradebus
