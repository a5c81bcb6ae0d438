#include "tradebus/transport/redis/redis_event_publisher.hpp"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "stop_signal.hpp"
#include "tradebus/transport/redis/redis_connection.hpp"

namespace tradebus::redis {

struct RedisEventPublisher::Impl {
  explicit Impl(RedisPublisherOptions o) : options(std::move(o)), conn(options.endpoint) {}

  RedisPublisherOptions options;
  RedisConnection conn;  // sender thread only
  detail::StopSignal stopping;
  std::thread sender;

  mutable std::mutex mu;
  std::condition_variable changed;  // buffer gained an event, lost one, or sending finished
  std::deque<Event> buffer;
  std::size_t in_flight = 0;  // front events the sender is writing (not evictable)
  bool sender_done = false;
  RedisPublisherStats stats;

  std::map<Symbol, std::string> market_data_keys;  // sender thread: formatted once per symbol

  std::string stream_of(const Event& e) {
    switch (e.type) {
      case EventType::candle_closed: {
        const Symbol& sym = e.as<Candle>().symbol;
        auto it = market_data_keys.find(sym);
        if (it == market_data_keys.end())
          it = market_data_keys.emplace(sym, options.names.market_data(sym.view())).first;
        return it->second;
      }
      case EventType::signal_generated:
        return options.names.execution();
      case EventType::error:
        return options.names.errors();
      default:
        return options.names.orders();
    }
  }

  void push(const Event& e) {
    std::unique_lock lock(mu);
    if (buffer.size() >= options.capacity) {
      if (e.type == EventType::candle_closed) {
        // Latest data is most valuable: evict the oldest candle not being written.
        auto it =
            std::find_if(buffer.begin() + static_cast<std::ptrdiff_t>(in_flight), buffer.end(),
                         [](const Event& x) { return x.type == EventType::candle_closed; });
        if (it == buffer.end()) {
          ++stats.dropped;
          return;
        }
        buffer.erase(it);
        ++stats.dropped;
      } else {
        changed.wait(lock, [&] { return buffer.size() < options.capacity || sender_done; });
        if (sender_done) {
          ++stats.unsent;
          spdlog::error("redis: publisher stopped; {} event not sent", to_string(e.type));
          return;
        }
      }
    }
    buffer.push_back(e);
    ++stats.published;
    changed.notify_all();
  }

  void run() {
    detail::Backoff backoff(options.max_backoff);
    bool outage_logged = false;
    std::vector<Event> batch;
    struct OutEntry {
      std::string key, blob;
      std::size_t events = 0;
      bool market_data = false;
    };
    std::vector<OutEntry> entries;
    std::map<std::string, std::size_t> open_entry;
    const std::string maxlen = std::to_string(options.market_data_maxlen);
    while (true) {
      {
        std::unique_lock lock(mu);
        changed.wait_for(lock, std::chrono::milliseconds(100),
                         [&] { return !buffer.empty() || stopping.requested(); });
        if (buffer.empty()) {
          if (stopping.requested()) break;
          continue;
        }
        in_flight = std::min(buffer.size(), options.batch);
        batch.assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(in_flight));
      }
      // Events bound for the same stream within one round trip share an entry (in order):
      // under load Redis then does one XADD, one delivery and one XACK per entry, not per event.
      entries.clear();
      open_entry.clear();
      for (const auto& e : batch) {
        auto key = stream_of(e);
        auto it = open_entry.find(key);
        if (it == open_entry.end() || entries[it->second].events >= options.events_per_entry) {
          entries.push_back(OutEntry{key, {}, 0, e.type == EventType::candle_closed});
          it = open_entry.insert_or_assign(std::move(key), entries.size() - 1).first;
        }
        auto& entry = entries[it->second];
        append_event(e, entry.blob);
        ++entry.events;
      }
      std::uint64_t refused = 0;
      try {
        if (!conn.connected()) conn.connect();
        for (const auto& en : entries) {
          if (en.market_data)
            conn.append(
                {"XADD", en.key, "MAXLEN", "~", maxlen, "*", "v", kWireVersion, "e", en.blob});
          else
            conn.append({"XADD", en.key, "*", "v", kWireVersion, "e", en.blob});
        }
        for (const auto& en : entries) {
          const auto r = conn.read_reply();
          if (r.is_error()) {
            refused += en.events;
            spdlog::error("redis: XADD {} refused: {}", en.key, r.str);
          }
        }
        if (outage_logged) spdlog::warn("redis {}: publishing again", conn.endpoint().describe());
        outage_logged = false;
        backoff.reset();
        std::lock_guard lock(mu);
        buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(in_flight));
        in_flight = 0;
        stats.sent += batch.size() - refused;
        stats.refused += refused;
        ++stats.batches;
        stats.entries += entries.size();
        stats.connected = true;
        changed.notify_all();
      } catch (const RedisIoError& e) {
        // Outcome unknown: the batch is sent again; readers skip the candles they already have
        // (by open time) and the executor the signals (by signal key).
        {
          std::lock_guard lock(mu);
          in_flight = 0;
          ++stats.reconnects;
          stats.connected = false;
        }
        if (!outage_logged) spdlog::warn("{}; retrying with back-off", e.what());
        outage_logged = true;
        conn.close();
        if (stopping.wait_for(backoff.next())) break;
      } catch (const RedisConfigError& e) {
        spdlog::error("{}", e.what());
        if (stopping.wait_for(backoff.next())) break;
      }
    }
    std::lock_guard lock(mu);
    stats.unsent += buffer.size();
    if (!buffer.empty())
      spdlog::error("redis: publisher stopped with {} events not sent", buffer.size());
    buffer.clear();
    sender_done = true;
    stats.connected = false;
    changed.notify_all();
  }
};

RedisEventPublisher::RedisEventPublisher(RedisPublisherOptions options)
    : impl_(std::make_shared<Impl>(std::move(options))) {}

RedisEventPublisher::~RedisEventPublisher() {
  stop(std::chrono::nanoseconds(0));
}

void RedisEventPublisher::start() {
  if (impl_->sender.joinable()) return;
  impl_->sender = std::thread([impl = impl_] { impl->run(); });
}

void RedisEventPublisher::attach(EventBus& bus, const std::vector<EventType>& types) {
  for (const auto t : types)
    subscriptions_.push_back(bus.subscribe_sync(
        t, [impl = impl_](const Event& e) { impl->push(e); }, "redis.publish"));
}

void RedisEventPublisher::publish(const Event& e) {
  impl_->push(e);
}

bool RedisEventPublisher::flush(std::chrono::nanoseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->changed.wait_for(lock, timeout, [&] {
    return impl_->buffer.empty() || impl_->sender_done;
  }) && impl_->buffer.empty();
}

void RedisEventPublisher::stop(std::chrono::nanoseconds drain) {
  for (auto& s : subscriptions_)
    s.unsubscribe();
  if (!impl_->sender.joinable()) return;
  (void)flush(drain);
  impl_->stopping.request();
  impl_->changed.notify_all();
  impl_->sender.join();
}

RedisPublisherStats RedisEventPublisher::stats() const {
  std::lock_guard lock(impl_->mu);
  auto s = impl_->stats;
  s.buffered = impl_->buffer.size();
  return s;
}

}  // namespace tradebus::redis
