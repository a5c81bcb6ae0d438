#include "tradebus/transport/redis/strategy_group_member.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "stop_signal.hpp"
#include "tradebus/model/kline_interval.hpp"
#include "tradebus/transport/redis/redis_connection.hpp"
#include "tradebus/transport/redis/redis_stream_source.hpp"

namespace tradebus::redis {
namespace {

// KEYS: owner, market-data stream, execution stream.
// ARGV: member, group, lease ms, output blob ('' for none), wire version, ids to acknowledge...
constexpr std::string_view kCommitScript = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[4] ~= '' then redis.call('XADD', KEYS[3], '*', 'v', ARGV[5], 'e', ARGV[4]) end
if #ARGV > 5 then redis.call('XACK', KEYS[2], ARGV[2], unpack(ARGV, 6)) end
return 1
)lua";

// KEYS: owner. ARGV: member, lease ms, "take" (acquire when free) or "keep" (renew only).
constexpr std::string_view kLeaseScript = R"lua(
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if cur or ARGV[3] ~= 'take' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
)lua";

// KEYS: owner. ARGV: member.
constexpr std::string_view kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

std::uint64_t rendezvous_weight(std::string_view member, std::string_view symbol) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a over member '\n' symbol
  const auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  mix(member);
  mix("\n");
  mix(symbol);
  h ^= h >> 33;  // finalizer: FNV's low bits alone spread short keys poorly
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

class CollectingSink final : public SignalSink {
 public:
  void emit(const Signal& s) override { signals.push_back(s); }
  std::vector<Signal> signals;
};

struct SymbolState {
  std::string stream;
  std::string owner_key;
  std::vector<std::shared_ptr<Strategy>> strategies;
  // Open and close time of the last candle processed (none yet: the lowest value, so that a
  // candle at the epoch is not taken for a repeat).
  std::int64_t last_open = std::numeric_limits<std::int64_t>::min();
  std::int64_t last_close = std::numeric_limits<std::int64_t>::min();
  bool catching_up = true;  // reading our own unacknowledged entries ("0") before new ones
};

}  // namespace

struct StrategyGroupMember::Impl {
  explicit Impl(StrategyMemberOptions o) : options(std::move(o)), conn(options.endpoint) {}

  StrategyMemberOptions options;
  RedisConnection conn;
  detail::StopSignal stopping;
  std::thread thread;
  mutable std::mutex mu;
  StrategyMemberStats stats;
  std::string failure;
  std::vector<std::string> owned_names;

  std::map<std::string, SymbolState> owned;  // member thread only
  std::uint64_t other_interval_seen = 0;     // member thread only: paces the warning
  std::string commit_sha, lease_sha, release_sha;
  std::string lease_ms;

  template <class F>
  void count(F&& f) {
    std::lock_guard lock(mu);
    f(stats);
  }
  void publish_owned() {
    std::lock_guard lock(mu);
    owned_names.clear();
    for (const auto& [s, _] : owned)
      owned_names.push_back(s);
    stats.owned = owned.size();
  }

  std::string load_script(std::string_view body) {
    const auto r = command_ok(conn, {"SCRIPT", "LOAD", body});
    return r.str;
  }
  long long eval(const std::string& sha, std::string_view body, std::vector<std::string_view> keys,
                 const std::vector<std::string_view>& args) {
    std::vector<std::string_view> cmd{"EVALSHA", sha};
    const std::string nkeys = std::to_string(keys.size());
    cmd.push_back(nkeys);
    cmd.insert(cmd.end(), keys.begin(), keys.end());
    cmd.insert(cmd.end(), args.begin(), args.end());
    auto r = conn.command(cmd);
    if (r.is_error() && r.str.rfind("NOSCRIPT", 0) == 0) {
      cmd[0] = "EVAL";
      cmd[1] = body;
      r = conn.command(cmd);
    }
    if (r.is_error()) throw std::runtime_error(fmt::format("redis: script refused: {}", r.str));
    return r.integer;
  }

  void on_connect() {
    conn.set_reply_timeout(options.block + std::chrono::seconds(5));
    commit_sha = load_script(kCommitScript);
    lease_sha = load_script(kLeaseScript);
    release_sha = load_script(kReleaseScript);
  }

  std::int64_t redis_now_ms() {
    const auto r = command_ok(conn, {"TIME"});
    if (!r.is_array() || r.elements.size() != 2)
      throw std::runtime_error("redis: TIME answered oddly");
    return std::stoll(r.elements[0].str) * 1000 + std::stoll(r.elements[1].str) / 1000;
  }

  // Heartbeat, then take, keep or hand over each symbol.
  void rebalance() {
    const auto now = redis_now_ms();
    const std::string key = options.names.members(options.group);
    const std::string score = std::to_string(now);
    const std::string expired = std::to_string(now - options.lease.count());
    command_ok(conn, {"ZADD", key, score, options.member});
    command_ok(conn, {"ZREMRANGEBYSCORE", key, "-inf", expired});
    const auto live = command_ok(conn, {"ZRANGE", key, "0", "-1"});
    for (const auto& sym : options.symbols) {
      std::string_view wanted = options.member;
      std::uint64_t best = 0;
      for (const auto& m : live.elements) {
        const auto w = rendezvous_weight(m.str, sym);
        if (w > best || (w == best && m.str < wanted)) {
          best = w;
          wanted = m.str;
        }
      }
      const std::string owner = options.names.owner(options.group, sym);
      const auto it = owned.find(sym);
      if (it != owned.end()) {
        if (wanted != options.member) {
          eval(release_sha, kReleaseScript, {owner}, {options.member});
          owned.erase(it);
          count([](auto& s) { ++s.released; });
          spdlog::info("strategy group {}: {} handed to {}", options.group, sym, wanted);
        } else if (!eval(lease_sha, kLeaseScript, {owner}, {options.member, lease_ms, "keep"})) {
          lose(sym);
        }
      } else if (wanted == options.member &&
                 eval(lease_sha, kLeaseScript, {owner}, {options.member, lease_ms, "take"})) {
        take_over(sym);
      }
    }
    publish_owned();
  }

  void lose(const std::string& sym) {
    owned.erase(sym);
    count([](auto& s) { ++s.leases_lost; });
    spdlog::warn("strategy group {}: lease on {} expired before it was renewed; dropped it",
                 options.group, sym);
  }

  void take_over(const std::string& sym) {
    SymbolState st;
    st.stream = options.names.market_data(sym);
    st.owner_key = options.names.owner(options.group, sym);
    ensure_group(conn, st.stream, options.group);
    // 1. Whatever the group delivered and nobody acknowledged becomes ours. The previous holder
    //    is gone or fenced off (its lease expired or was released), so idle time 0 is safe.
    std::uint64_t claimed = 0;
    std::string cursor = "0-0";
    const std::string n = std::to_string(options.count);
    do {
      const auto r = command_ok(conn, {"XAUTOCLAIM", st.stream, options.group, options.member, "0",
                                       cursor, "COUNT", n, "JUSTID"});
      if (!r.is_array() || r.elements.size() < 2) break;
      cursor = r.elements[0].str;
      claimed += r.elements[1].elements.size();
    } while (cursor != "0-0");
    // 2. Everything before the first unacknowledged entry was processed: replay it into a fresh
    //    strategy set so that its state is the one the previous holder had.
    std::string end;
    const auto pending = command_ok(conn, {"XPENDING", st.stream, options.group});
    if (pending.is_array() && pending.elements.size() >= 2 && pending.elements[0].integer > 0) {
      end = "(" + pending.elements[1].str;
    } else {
      const auto groups = command_ok(conn, {"XINFO", "GROUPS", st.stream});
      for (const auto& g : groups.elements) {
        const auto* name = find_field(g, "name");
        const auto* last = find_field(g, "last-delivered-id");
        if (name && last && name->str == options.group) end = last->str;
      }
    }
    st.strategies = options.make_strategies();
    std::uint64_t warmup = 0;
    if (!end.empty() && end != "0-0") {
      const std::string limit = std::to_string(options.history);
      const auto history =
          parse_entries(command_ok(conn, {"XREVRANGE", st.stream, end, "-", "COUNT", limit}));
      CollectingSink discard;
      std::vector<Event> events;
      for (auto it = history.rbegin(); it != history.rend(); ++it) {
        events.clear();
        std::string error;
        if (!decode_entry(*it, events, error)) continue;  // counted when it was first read
        for (const auto& e : events) {
          const auto* c = e.get_if<Candle>();
          if (!c || !wanted(*c) || c->open_time_ns <= st.last_open) continue;
          for (auto& s : st.strategies)
            s->on_candle(*c, discard);
          st.last_open = c->open_time_ns;
          st.last_close = c->close_time_ns;
          ++warmup;
        }
      }
    }
    owned[sym] = std::move(st);
    count([&](auto& s) {
      ++s.takeovers;
      s.claimed += claimed;
      s.warmup_candles += warmup;
    });
    spdlog::info(
        "strategy group {}: took {} ({} unacknowledged entries claimed, {} candles replayed)",
        options.group, sym, claimed, warmup);
  }

  bool wanted(const Candle& c) const {
    return options.interval.empty() || c.interval.view() == options.interval;
  }

  // Runs the strategies over one symbol's entries and commits the output with the acks.
  void process(const std::string& sym, SymbolState& st, const std::vector<StreamEntry>& entries) {
    std::string blob;
    std::vector<std::string_view> args{options.member, options.group, lease_ms, {}, kWireVersion};
    std::vector<Event> events;
    CollectingSink sink;
    std::uint64_t candles = 0, signals = 0, malformed = 0, dups = 0, gaps = 0, other = 0;
    for (const auto& entry : entries) {
      args.push_back(entry.id);
      events.clear();
      std::string error;
      if (!decode_entry(entry, events, error)) {
        spdlog::error("redis {} entry {}: {}; skipped", st.stream, entry.id, error);
        ++malformed;
        continue;
      }
      for (const auto& e : events) {
        const auto* c = e.get_if<Candle>();
        if (!c || c->symbol.view() != sym) {
          ++malformed;
          spdlog::error("redis {} entry {}: holds a {} that does not belong there; skipped",
                        st.stream, entry.id, to_string(e.type));
          continue;
        }
        if (!wanted(*c)) {
          ++other;
          // Another collector's interval arrives every batch: log the 1st, 2nd, 4th, 8th ...
          const std::uint64_t n = ++other_interval_seen;
          if ((n & (n - 1)) == 0)
            spdlog::warn(
                "redis {} entry {}: a {} candle; this member trades {} candles, skipped ({} so "
                "far)",
                st.stream, entry.id, c->interval.view(), options.interval, n);
          continue;
        }
        if (c->open_time_ns <= st.last_open) {
          ++dups;
          continue;
        }
        if (st.last_close != std::numeric_limits<std::int64_t>::min() &&
            c->open_time_ns > st.last_close + 1'000'000)
          ++gaps;
        sink.signals.clear();
        for (auto& s : st.strategies)
          s->on_candle(*c, sink);
        st.last_open = c->open_time_ns;
        st.last_close = c->close_time_ns;
        append_event(e, blob);
        for (const auto& s : sink.signals)
          append_event(Event(EventType::signal_generated, s, s.time_ns, "strategy"), blob);
        ++candles;
        signals += sink.signals.size();
      }
    }
    args[3] = blob;
    if (!eval(commit_sha, kCommitScript, {st.owner_key, st.stream, options.names.execution()},
              args)) {
      lose(sym);  // the output was not written: the next holder processes these entries
      publish_owned();
      return;
    }
    if (!blob.empty()) ++backlog_estimate;
    count([&](auto& s) {
      s.candles += candles;
      s.signals += signals;
      s.malformed += malformed;
      s.duplicates_skipped += dups;
      s.other_interval += other;
      s.gaps += gaps;
      ++s.batches;
    });
  }

  // The execution stream's length as last measured plus what we wrote since: measured again
  // when that estimate reaches the bound (or every 50 ms), so one member never overshoots it and
  // a busy member does not pay a round trip per batch.
  bool backlogged(bool timer_due) {
    if (!timer_due && backlog_estimate < options.max_pending) return false;
    backlog_estimate =
        static_cast<std::size_t>(command_ok(conn, {"XLEN", options.names.execution()}).integer);
    return backlog_estimate >= options.max_pending;
  }
  std::size_t backlog_estimate = 0;

  void read_once() {
    std::vector<std::string_view> cmd{"XREADGROUP", "GROUP", options.group, options.member,
                                      "COUNT"};
    const std::string count_arg = std::to_string(options.count);
    const std::string block_arg = std::to_string(options.block.count());
    cmd.push_back(count_arg);
    const bool history =
        std::any_of(owned.begin(), owned.end(), [](const auto& p) { return p.second.catching_up; });
    if (!history) {
      cmd.push_back("BLOCK");
      cmd.push_back(block_arg);
    }
    cmd.push_back("STREAMS");
    for (const auto& [_, st] : owned)
      cmd.push_back(st.stream);
    for (const auto& [_, st] : owned)
      cmd.push_back(st.catching_up ? "0" : ">");
    const auto reply = command_ok(conn, cmd);
    std::map<std::string, std::vector<StreamEntry>> by_stream;
    for (auto& [stream, entries] : parse_read_reply(reply))
      by_stream[stream] = std::move(entries);
    std::vector<std::string> syms;
    for (const auto& [sym, _] : owned)
      syms.push_back(sym);
    for (const auto& sym : syms) {
      auto it = owned.find(sym);
      if (it == owned.end()) continue;
      auto found = by_stream.find(it->second.stream);
      if (found == by_stream.end() || found->second.empty()) {
        it->second.catching_up = false;
        continue;
      }
      process(sym, it->second, found->second);
    }
  }

  void run() {
    detail::Backoff backoff(options.max_backoff);
    lease_ms = std::to_string(options.lease.count());
    const auto rebalance_every = options.lease / 3;
    auto next_rebalance = std::chrono::steady_clock::now();
    auto next_backlog_check = next_rebalance;
    bool waiting = false, outage_logged = false;
    while (!stopping.requested()) {
      try {
        if (!conn.connected()) {
          conn.connect();
          on_connect();
          if (outage_logged)
            spdlog::warn("redis {}: member {} back", conn.endpoint().describe(), options.member);
          outage_logged = false;
          count([](auto& s) { s.connected = true; });
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_rebalance) {
          rebalance();
          next_rebalance = now + rebalance_every;
        }
        backoff.reset();
        if (owned.empty()) {
          stopping.wait_for(std::min<std::chrono::nanoseconds>(options.block, rebalance_every));
          continue;
        }
        {
          const bool due = now >= next_backlog_check;
          if (due) next_backlog_check = now + std::chrono::milliseconds(50);
          if (backlogged(due)) {
            if (!waiting)
              spdlog::warn("redis {}: over {} entries wait for the executor; reading paused",
                           options.names.execution(), options.max_pending);
            waiting = true;
            count([](auto& s) { ++s.backpressure_waits; });
            stopping.wait_for(std::chrono::milliseconds(50));
            continue;
          }
          waiting = false;
        }
        read_once();
      } catch (const RedisIoError& e) {
        // What we processed may or may not be committed: start every symbol afresh from what
        // Redis holds (history + our unacknowledged entries) once we are back.
        owned.clear();
        publish_owned();
        count([](auto& s) {
          ++s.reconnects;
          s.connected = false;
        });
        if (!outage_logged) spdlog::warn("{}; retrying with back-off", e.what());
        outage_logged = true;
        conn.close();
        next_rebalance = std::chrono::steady_clock::now();
        stopping.wait_for(backoff.next());
      } catch (const RedisConfigError& e) {
        std::lock_guard lock(mu);
        failure = e.what();
        return;
      } catch (const std::exception& e) {
        spdlog::error("strategy group {} member {}: {}", options.group, options.member, e.what());
        owned.clear();
        publish_owned();
        conn.close();
        next_rebalance = std::chrono::steady_clock::now();
        stopping.wait_for(backoff.next());
      }
    }
    // Leaving: hand the symbols over at once instead of making the others wait out the lease.
    try {
      if (conn.connected()) {
        for (const auto& [sym, st] : owned)
          eval(release_sha, kReleaseScript, {st.owner_key}, {options.member});
        command_ok(conn, {"ZREM", options.names.members(options.group), options.member});
      }
    } catch (const std::exception& e) {
      spdlog::warn("strategy group {}: leaving without releasing leases: {}", options.group,
                   e.what());
    }
    owned.clear();
    publish_owned();
  }
};

StrategyGroupMember::StrategyGroupMember(StrategyMemberOptions options) {
  if (options.member.empty()) throw std::invalid_argument("strategy member: the name is empty");
  if (options.symbols.empty()) throw std::invalid_argument("strategy member: no symbols");
  if (!options.make_strategies) throw std::invalid_argument("strategy member: no strategies");
  if (options.lease < std::chrono::milliseconds(300))
    throw std::invalid_argument("strategy member: the lease must be at least 300 ms");
  if (!options.interval.empty() && !interval_length_ms(options.interval))
    throw std::invalid_argument(
        fmt::format("strategy member: interval '{}' is not a Binance kline interval ({})",
                    options.interval, interval_names()));
  impl_ = std::make_shared<Impl>(std::move(options));
}

StrategyGroupMember::~StrategyGroupMember() {
  stop();
}

void StrategyGroupMember::start() {
  if (impl_->thread.joinable()) return;
  impl_->thread = std::thread([impl = impl_] { impl->run(); });
}

void StrategyGroupMember::stop() {
  impl_->stopping.request();
  if (impl_->thread.joinable()) impl_->thread.join();
}

StrategyMemberStats StrategyGroupMember::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

std::vector<std::string> StrategyGroupMember::owned_symbols() const {
  std::lock_guard lock(impl_->mu);
  return impl_->owned_names;
}

std::string StrategyGroupMember::failure() const {
  std::lock_guard lock(impl_->mu);
  return impl_->failure;
}

}  // namespace tradebus::redis
