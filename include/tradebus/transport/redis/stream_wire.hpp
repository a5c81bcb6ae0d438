// The wire format of tradebus events in Redis Streams (docs/redis-streams.md has the full table).
//
// Every stream entry has two fields:
//   v  the entry format version, "1"; a reader refuses any other value
//   e  one or more events, each as u32 little-endian length + the EventCodec record (whose own
//      first byte is the codec version, see persistence/event_codec.hpp)
// An entry carries the events one producer made atomically: the collector writes one candle per
// entry; a strategy member writes, per batch, each candle it processed followed by the signals
// it produced from it, so the executor sees them in the order they happened.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tradebus/model/event.hpp"
#include "tradebus/transport/redis/redis_connection.hpp"

namespace tradebus::redis {

inline constexpr std::string_view kWireVersion = "1";

/// Appends `e` to the `e` field being built.
void append_event(const Event& e, std::string& blob);

/// One entry as XREADGROUP/XRANGE/XAUTOCLAIM return it.
struct StreamEntry {
  std::string id;
  RedisValue fields;  ///< flat array f1 v1 f2 v2 ...; nil for an entry deleted while pending
};

/// Decodes an entry's events into `out` (appended); false with `error` saying what is wrong
/// (unknown version, missing field, truncated or bad record). Never throws on bad bytes.
bool decode_entry(const StreamEntry& entry, std::vector<Event>& out, std::string& error);

/// [[id, [f, v, ...]], ...] -> entries; throws std::runtime_error on any other shape.
std::vector<StreamEntry> parse_entries(const RedisValue& list);
/// XREAD/XREADGROUP's [[stream, entries], ...] (nil: nothing) -> (stream, entries) pairs.
std::vector<std::pair<std::string, std::vector<StreamEntry>>> parse_read_reply(
    const RedisValue& reply);

/// The value after `name` in a flat [name, value, ...] array (XINFO's answers); null if absent.
const RedisValue* find_field(const RedisValue& flat, std::string_view name);

/// A stream id "ms-seq" as a comparable pair; {0,0} when it does not parse.
std::pair<std::uint64_t, std::uint64_t> parse_stream_id(std::string_view id);

/// Key names of one deployment; every process of a deployment uses the same prefix.
struct StreamNames {
  std::string prefix = "tb";

  /// Closed candles of one symbol (collector -> strategy members), trimmed to MAXLEN ~ N.
  std::string market_data(std::string_view symbol) const;
  /// Strategy members -> executor: candles as processed plus their signals. Never trimmed past
  /// what its consumer groups have not acknowledged.
  std::string execution() const;
  /// Order events the executor publishes for observers (dashboards, other processes).
  std::string orders() const;
  std::string errors() const;
  /// Live members of a strategy group (sorted set: member -> last heartbeat, ms).
  std::string members(std::string_view group) const;
  /// The lease that makes one member the only reader of a symbol.
  std::string owner(std::string_view group, std::string_view symbol) const;
};

}  // namespace tradebus::redis
