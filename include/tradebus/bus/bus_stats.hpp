// Snapshots of EventBus counters (the seed's get_queue_stats), safe to take from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tradebus/model/event_type.hpp"

namespace tradebus {

struct QueueStats {
  Lane lane = Lane::data;
  std::size_t depth = 0;  ///< Events waiting now (including parked ones).
  std::size_t capacity = 0;
  std::uint64_t published = 0;       ///< Events accepted into the queue.
  std::uint64_t dispatched = 0;      ///< Events taken out and handed to handlers.
  std::uint64_t dropped = 0;         ///< Newest dropped or oldest evicted under overflow.
  std::uint64_t block_timeouts = 0;  ///< Publishes whose wait for space ran out.
  std::uint64_t parked = 0;  ///< Order events the loop thread parked while the queue was full.
  std::uint64_t discarded_at_shutdown = 0;  ///< Left in the queue when the bus stopped.
};

struct HandlerStats {
  std::string name;
  EventType type = EventType::candle_closed;
  bool coroutine = false;
  std::uint64_t calls = 0;
  std::uint64_t errors = 0;
  std::uint64_t timed_calls = 0;  ///< Calls whose latency was sampled.
  std::uint64_t latency_p50_ns = 0;
  std::uint64_t latency_p99_ns = 0;
  std::uint64_t latency_max_ns = 0;
  std::uint64_t latency_sum_ns = 0;  ///< Of the sampled calls.
  /// Sampled calls at or under each bound of kHandlerLatencyBoundsNs (cumulative; a call is
  /// counted by the upper end of its fine bucket, within 12.5 %).
  std::vector<std::uint64_t> latency_cumulative;
};

/// Bucket bounds of HandlerStats::latency_cumulative, in ns (Prometheus-style 1-2.5-5 steps).
inline constexpr std::array<std::uint64_t, 16> kHandlerLatencyBoundsNs{
    250,     500,     1'000,   2'500,     5'000,     10'000,     25'000,      50'000,
    100'000, 250'000, 500'000, 1'000'000, 5'000'000, 25'000'000, 100'000'000, 1'000'000'000};

struct BusStats {
  std::array<QueueStats, kLaneCount> queues{};  ///< Indexed by Lane.
  std::vector<HandlerStats> handlers;           ///< In subscription order.
  std::uint64_t events_dispatched = 0;
  std::uint64_t handler_errors = 0;
  std::uint64_t error_events_dropped = 0;  ///< ERROR events that found the signal queue full.

  const QueueStats& queue(Lane l) const { return queues[static_cast<std::size_t>(l)]; }
};

}  // namespace tradebus
