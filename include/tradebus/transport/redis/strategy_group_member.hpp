// StrategyGroupMember: one member of a strategy group (`tradebus strategy --group G`). Members
// share the symbols: each symbol's candles are read and processed by exactly one member at a
// time, in stream order, and the signals go to {prefix}:exec for the executor.
//
// Who reads a symbol is decided by a lease ({prefix}:group:G:owner:SYMBOL, a Redis key with a
// time-to-live that its holder renews). Live members heartbeat into a sorted set and each symbol
// is wanted by one of them (rendezvous hashing), so symbols spread over members and move when
// one joins or goes silent. A member that takes a symbol over:
//   1. claims the entries the previous holder read but did not acknowledge (XAUTOCLAIM) — its
//      lease had to expire first, so they were idle at least `lease`;
//   2. rebuilds the symbol's strategy state from a fresh strategy set fed the stream's history
//      up to the first unacknowledged entry (the signals that history produced are discarded);
//   3. processes the claimed entries, then new ones.
// A batch's output (each candle, then the signals made from it) is appended to {prefix}:exec and
// the batch acknowledged in one Lua script that first checks the lease is still ours, so a
// member that lost its symbol (paused, partitioned) cannot write, and a crash leaves either both
// or neither: each candle reaches the executor once.
// Strategies run on the member's thread, one candle at a time (the bus loop's rule).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tradebus/engine/strategy.hpp"
#include "tradebus/transport/redis/redis_endpoint.hpp"
#include "tradebus/transport/redis/stream_wire.hpp"

namespace tradebus::redis {

struct StrategyMemberOptions {
  RedisEndpoint endpoint;
  StreamNames names;
  std::string group = "strategies";
  std::string member;  ///< Unique within the group; a restarted member with the same name
                       ///< resumes its own unacknowledged entries.
  std::vector<std::string> symbols;
  /// Only candles of this interval ("1m") reach the strategies; empty: any. Others are
  /// acknowledged and counted (a symbol's stream is shared by every collector of that symbol,
  /// whatever its interval).
  std::string interval;
  /// A fresh set of strategies; called once per symbol taken over (state is per symbol).
  std::function<std::vector<std::shared_ptr<Strategy>>()> make_strategies;
  /// Lease time-to-live: a member silent this long loses its symbols to the others, and this is
  /// how long its unacknowledged entries stay idle before they are claimed.
  std::chrono::milliseconds lease{5'000};
  std::size_t count = 64;  ///< Entries per read (an entry holds up to 64 candles).
  std::chrono::milliseconds block{200};
  /// Back-pressure: no new candle is read while {prefix}:exec holds this many entries (one per
  /// batch written) or more; the executor trims what it acknowledged, so this bounds its backlog.
  std::size_t max_pending = 10'000;
  std::size_t history = 10'000;  ///< Candles read back to rebuild a symbol's state.
  std::chrono::milliseconds max_backoff{5'000};
};

struct StrategyMemberStats {
  std::uint64_t candles = 0;  ///< Processed and handed on (warm-up not included).
  std::uint64_t signals = 0;
  std::uint64_t batches = 0;
  std::uint64_t takeovers = 0;       ///< Symbols taken (at start, from a silent or leaving member).
  std::uint64_t released = 0;        ///< Symbols handed to a member that wants them.
  std::uint64_t leases_lost = 0;     ///< Symbols whose lease expired under us (we were too slow).
  std::uint64_t claimed = 0;         ///< Unacknowledged entries taken over with a symbol (a silent
                                     ///< member's, or our own from before a restart).
  std::uint64_t warmup_candles = 0;  ///< History replayed to rebuild state.
  std::uint64_t malformed = 0;
  std::uint64_t duplicates_skipped = 0;  ///< Candles with an open time already processed.
  std::uint64_t other_interval = 0;      ///< Candles of another interval, skipped.
  std::uint64_t gaps = 0;                ///< Candles missing before one (trimmed or never sent).
  std::uint64_t backpressure_waits = 0;
  std::uint64_t reconnects = 0;
  std::size_t owned = 0;
  bool connected = false;
};

class StrategyGroupMember {
 public:
  /// Throws std::invalid_argument for an empty member name, symbol list or strategy factory.
  explicit StrategyGroupMember(StrategyMemberOptions options);
  /// stop().
  ~StrategyGroupMember();
  StrategyGroupMember(const StrategyGroupMember&) = delete;
  StrategyGroupMember& operator=(const StrategyGroupMember&) = delete;

  void start();
  /// Finishes the batch in hand, releases its leases (the others take over at once) and stops.
  void stop();
  StrategyMemberStats stats() const;
  std::vector<std::string> owned_symbols() const;
  /// Non-empty once the member gave up (the server refused AUTH or SELECT).
  std::string failure() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tradebus::redis
