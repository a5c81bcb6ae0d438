#include "tradebus/transport/redis/redis_stream_source.hpp"

#include <limits>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "stop_signal.hpp"
#include "tradebus/bus/event_bus.hpp"
#include "tradebus/transport/redis/redis_connection.hpp"
#include "tradebus/transport/redis/stream_wire.hpp"

namespace tradebus::redis {

void ensure_group(RedisConnection& conn, const std::string& stream, const std::string& group) {
  const auto r = conn.command({"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"});
  if (r.is_error() && r.str.rfind("BUSYGROUP", 0) != 0)
    throw std::runtime_error(
        fmt::format("redis: XGROUP CREATE {} {} refused: {}", stream, group, r.str));
}

namespace {

std::string next_id(const std::string& id) {
  const auto [ms, seq] = parse_stream_id(id);
  return fmt::format("{}-{}", ms, seq + 1);
}

}  // namespace

std::string trim_acknowledged(RedisConnection& conn, const std::string& stream) {
  const auto groups = conn.command({"XINFO", "GROUPS", stream});
  if (!groups.is_array() || groups.elements.empty()) return {};
  std::string safe;
  for (const auto& g : groups.elements) {
    const auto* name = find_field(g, "name");
    const auto* pending = find_field(g, "pending");
    const auto* last = find_field(g, "last-delivered-id");
    if (!name || !pending || !last) return {};
    std::string group_safe;
    if (pending->integer > 0) {
      const auto p = conn.command({"XPENDING", stream, name->str});
      if (!p.is_array() || p.elements.size() < 2 || !p.elements[1].is_string()) return {};
      group_safe = p.elements[1].str;
    } else {
      group_safe = next_id(last->str);
    }
    if (safe.empty() || parse_stream_id(group_safe) < parse_stream_id(safe)) safe = group_safe;
  }
  if (safe.empty() || parse_stream_id(safe) == std::pair<std::uint64_t, std::uint64_t>{0, 1})
    return {};
  // Exact, not "~": an executor trims once a second, and an exact bound is what
  // StrategyMemberOptions::max_pending measures.
  const auto r = conn.command({"XTRIM", stream, "MINID", safe});
  if (r.is_error()) throw std::runtime_error(fmt::format("redis: XTRIM {}: {}", stream, r.str));
  return safe;
}

struct RedisStreamSource::Impl {
  explicit Impl(RedisSourceOptions o) : options(std::move(o)), conn(options.endpoint) {}

  RedisSourceOptions options;
  RedisConnection conn;
  detail::StopSignal stopping;
  std::thread thread;
  mutable std::mutex mu;
  RedisSourceStats stats;
  std::map<Symbol, std::int64_t> last_open;  // source thread only
  bool read_pending = true;                  // read our own PEL ("0") before new entries (">")

  template <class F>
  void count(F&& f) {
    std::lock_guard lock(mu);
    f(stats);
  }

  // Publishes the events of `entries`; returns the ids handled (to acknowledge), stopping early
  // (without those ids) when asked to stop.
  std::vector<std::string> publish(EventBus& bus, const std::vector<StreamEntry>& entries,
                                   std::uint64_t& candles_total) {
    std::vector<std::string> done;
    std::vector<Event> events;
    for (const auto& entry : entries) {
      events.clear();
      std::string error;
      if (!decode_entry(entry, events, error)) {
        spdlog::error("redis {} entry {}: {}; skipped", options.stream, entry.id, error);
        count([](auto& s) { ++s.malformed; });
        done.push_back(entry.id);
        continue;
      }
      std::uint64_t candles = 0, signals = 0, other = 0, dups = 0;
      std::optional<Symbol> skipping;
      for (auto& e : events) {
        if (const auto* c = e.get_if<Candle>()) {
          auto& last = last_open.try_emplace(c->symbol, std::numeric_limits<std::int64_t>::min())
                           .first->second;
          if (c->open_time_ns <= last) {
            skipping = c->symbol;
            ++dups;
            continue;
          }
          skipping.reset();
          last = c->open_time_ns;
          ++candles;
        } else if (const auto* s = e.get_if<Signal>()) {
          if (skipping && *skipping == s->symbol) continue;  // made from a candle seen before
          ++signals;
        } else {
          ++other;
        }
        e.sequence = 0;
        while (!bus.publish_for(e, options.lane, std::chrono::milliseconds(100)))
          if (stopping.requested()) return done;
      }
      done.push_back(entry.id);
      candles_total += candles;
      count([&](auto& s) {
        ++s.entries;
        s.candles += candles;
        s.signals += signals;
        s.other_events += other;
        s.duplicates_skipped += dups;
      });
      if (options.max_candles && candles_total >= options.max_candles) break;
    }
    return done;
  }

  void acknowledge(const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    std::vector<std::string_view> args{"XACK", options.stream, options.group};
    for (const auto& id : ids)
      args.push_back(id);
    command_ok(conn, args);
    count([&](auto& s) { s.acknowledged += ids.size(); });
  }

  std::uint64_t claim() {
    std::uint64_t claimed = 0;
    std::string cursor = "0-0";
    const std::string idle = std::to_string(options.claim_idle.count());
    const std::string n = std::to_string(options.count);
    do {
      const auto r = command_ok(conn, {"XAUTOCLAIM", options.stream, options.group,
                                       options.consumer, idle, cursor, "COUNT", n, "JUSTID"});
      if (!r.is_array() || r.elements.size() < 2) break;
      cursor = r.elements[0].str;
      claimed += r.elements[1].elements.size();
    } while (cursor != "0-0" && !stopping.requested());
    if (claimed) {
      spdlog::warn("redis {}: claimed {} entries another {} consumer left unacknowledged",
                   options.stream, claimed, options.group);
      count([&](auto& s) { s.claimed += claimed; });
      read_pending = true;
    }
    return claimed;
  }

  void run(EventBus& bus, const std::function<void(std::string)>& finished) {
    detail::Backoff backoff(options.max_backoff);
    std::uint64_t candles_total = 0;
    auto next_claim = std::chrono::steady_clock::now();
    auto next_trim = next_claim + options.trim_interval;
    const std::string count_arg = std::to_string(options.count);
    const std::string block_arg = std::to_string(options.block.count());
    bool outage_logged = false;
    while (!stopping.requested()) {
      try {
        if (!conn.connected()) {
          conn.connect();
          conn.set_reply_timeout(options.block + std::chrono::seconds(5));
          ensure_group(conn, options.stream, options.group);
          read_pending = true;  // what we read before the outage may not be acknowledged
          if (outage_logged) spdlog::warn("redis {}: reading again", options.stream);
          outage_logged = false;
          count([](auto& s) { s.connected = true; });
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_claim) {
          claim();
          next_claim = now + options.claim_idle / 2;
        }
        if (now >= next_trim) {
          if (!trim_acknowledged(conn, options.stream).empty()) count([](auto& s) { ++s.trims; });
          next_trim = now + options.trim_interval;
        }
        const char* from = read_pending ? "0" : ">";
        const auto reply =
            read_pending ? command_ok(conn, {"XREADGROUP", "GROUP", options.group, options.consumer,
                                             "COUNT", count_arg, "STREAMS", options.stream, from})
                         : command_ok(conn, {"XREADGROUP", "GROUP", options.group, options.consumer,
                                             "COUNT", count_arg, "BLOCK", block_arg, "STREAMS",
                                             options.stream, from});
        backoff.reset();
        std::vector<StreamEntry> entries;
        for (auto& [stream, list] : parse_read_reply(reply))
          for (auto& e : list)
            entries.push_back(std::move(e));
        if (entries.empty()) {
          read_pending = false;
          continue;
        }
        const auto ids = publish(bus, entries, candles_total);
        if (options.ack_barrier && !options.ack_barrier()) return;
        acknowledge(ids);
        if (options.max_candles && candles_total >= options.max_candles) {
          finished({});
          return;
        }
      } catch (const RedisIoError& e) {
        count([](auto& s) {
          ++s.reconnects;
          s.connected = false;
        });
        if (!outage_logged) spdlog::warn("{}; retrying with back-off", e.what());
        outage_logged = true;
        conn.close();
        stopping.wait_for(backoff.next());
      } catch (const RedisConfigError& e) {
        finished(e.what());
        return;
      } catch (const std::exception& e) {
        // A refused command is not cured by retrying at once; say so and keep trying slowly.
        spdlog::error("redis {}: {}", options.stream, e.what());
        conn.close();
        stopping.wait_for(backoff.next());
      }
    }
  }
};

RedisStreamSource::RedisStreamSource(RedisSourceOptions options)
    : impl_(std::make_shared<Impl>(std::move(options))) {}

RedisStreamSource::~RedisStreamSource() {
  stop();
}

void RedisStreamSource::start(EventBus& bus, std::function<void(std::string)> finished) {
  impl_->thread = std::thread(
      [impl = impl_, &bus, finished = std::move(finished)] { impl->run(bus, finished); });
}

void RedisStreamSource::stop() {
  impl_->stopping.request();
  if (impl_->thread.joinable()) impl_->thread.join();
}

RedisSourceStats RedisStreamSource::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

}  // namespace tradebus::redis
