#include "tradebus/adapters/binance/kline_collector.hpp"
#include "tradebus/model/kline_interval.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tls_setup.hpp"
#include "tradebus/adapters/binance/kline_history.hpp"
#include "tradebus/adapters/binance/kline_message_parser.hpp"
#include "tradebus/adapters/binance/rest_client.hpp"
#include "tradebus/bus/event_bus.hpp"
#include "tradebus/model/time_format.hpp"
#include "websocket_client.hpp"

namespace tradebus::binance {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;

struct SymbolState {
  Symbol symbol;
  bool has_last = false;
  std::int64_t last_open_ns = 0;
  std::int64_t next_open_ns = 0;  // where the next closed candle must start; gaps are before it
};

std::string to_lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

}  // namespace

struct KlineCollector::Impl {
  KlineCollectorOptions opt;
  Endpoint ws_endpoint;
  Interval interval;
  std::unique_ptr<RestClient> rest;
  std::vector<std::vector<std::string>> groups;
  std::vector<std::string> targets;
  std::map<Symbol, SymbolState> states;  // I/O thread only from start() on

  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::thread thread;
  EventBus* bus = nullptr;
  std::function<void(std::string)> finished;
  bool finished_called = false;
  bool stopping = false;
  std::vector<detail::WebSocketClient*> clients;
  std::vector<asio::steady_timer*> timers;
  KlineMessageParser parser;
  std::set<std::string> logged_kinds;
  std::minstd_rand rng{std::random_device{}()};

  std::atomic<std::uint64_t> candles{0}, backfilled{0}, reconnects{0}, connections{0}, messages{0},
      malformed{0}, other{0}, duplicates{0}, backfill_failures{0}, pings{0};
  std::atomic<std::int64_t> last_connected_ns{0};
  std::atomic<std::int64_t> last_message_ns{0};

  void bump(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  void note_bad(const std::string& kind, std::string_view detail, std::string_view sample) {
    bump(malformed);
    if (!logged_kinds.insert(kind).second) return;
    if (sample.size() > 200) sample = sample.substr(0, 200);
    spdlog::warn(
        "Binance stream: skipping {} message ({}); further ones are counted, not logged; "
        "sample: {}",
        kind, detail, sample);
  }

  void finish(std::string error) {
    if (finished_called) return;
    finished_called = true;
    if (finished) finished(std::move(error));
  }

  void request_local_stop() {
    stopping = true;
    for (auto* c : clients)
      if (c) c->abort();
    for (auto* t : timers)
      if (t) t->cancel();
  }

  void publish(const Candle& c, bool from_rest) {
    if (opt.max_candles != 0 && candles.load() >= opt.max_candles) return;
    SymbolState& st = states[c.symbol];
    bus->publish(EventType::candle_closed, c, c.close_time_ns, SourceId("binance"));
    st.has_last = true;
    st.last_open_ns = c.open_time_ns;
    st.next_open_ns = std::max(st.next_open_ns, c.close_time_ns + 1'000'000);
    bump(candles);
    if (from_rest) bump(backfilled);
    if (opt.max_candles != 0 && candles.load() >= opt.max_candles) {
      finish({});
      request_local_stop();
    }
  }

  // Publishes the closed candles in [st.next_open_ns, before_open_ns) from REST.
  void backfill(SymbolState& st, std::int64_t before_open_ns) {
    const std::int64_t from_ms = st.next_open_ns / 1'000'000;
    const std::int64_t to_ms = before_open_ns / 1'000'000 - 1;
    std::uint64_t got = 0;
    try {
      fetch_klines(*rest, st.symbol, interval, from_ms, to_ms,
                   [&](const std::vector<Candle>& page) {
                     for (const Candle& c : page) {
                       if (stopping) return;
                       if (st.has_last && c.open_time_ns <= st.last_open_ns) continue;
                       publish(c, true);
                       ++got;
                     }
                   });
      spdlog::info("Binance {}: backfilled {} candle(s) from {} to {}", st.symbol.view(), got,
                   format_utc(from_ms * 1'000'000), format_utc(to_ms * 1'000'000));
    } catch (const KlineFetchError& e) {
      bump(backfill_failures);
      spdlog::error("Binance {}: could not backfill {} to {}: {}", st.symbol.view(),
                    format_utc(from_ms * 1'000'000), format_utc(to_ms * 1'000'000), e.what());
    }
    // Tried once: a range the exchange has no candles for (maintenance) is not asked again.
    st.next_open_ns = std::max(st.next_open_ns, before_open_ns);
  }

  void handle(std::string_view text) {
    bump(messages);
    last_message_ns.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
    KlineMessage m = parser.parse(text);
    if (m.kind == KlineMessageKind::malformed) {
      const auto colon = m.error.find(':');
      note_bad(m.error.substr(0, colon), m.error, text);
      return;
    }
    if (m.kind == KlineMessageKind::other) {
      bump(other);
      if (logged_kinds.insert("other").second)
        spdlog::info("Binance stream: ignoring a non-kline message: {}",
                     text.substr(0, std::min<std::size_t>(text.size(), 200)));
      return;
    }
    auto it = states.find(m.candle.symbol);
    if (it == states.end() || m.candle.interval != interval) {
      note_bad("unexpected kline", "a symbol or interval not subscribed", text);
      return;
    }
    SymbolState& st = it->second;
    if (st.has_last && m.candle.open_time_ns > st.next_open_ns) backfill(st, m.candle.open_time_ns);
    if (m.kind != KlineMessageKind::closed_candle || stopping) return;
    if (st.has_last && m.candle.open_time_ns <= st.last_open_ns) {
      bump(duplicates);
      return;
    }
    publish(m.candle, false);
  }

  awaitable<void> run_connection(std::size_t g) {
    asio::steady_timer timer(io);
    timers[g] = &timer;
    auto backoff = opt.reconnect_initial;
    bool first = true;
    while (!stopping) {
      auto ws = detail::make_websocket_client(io, tls, ws_endpoint,
                                              {opt.connect_timeout, opt.idle_timeout});
      clients[g] = ws.get();
      std::string why;
      bool planned = false;
      try {
        co_await ws->connect(targets[g]);
        last_connected_ns.store(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
                .count());
        bump(connections);
        if (!first) bump(reconnects);
        first = false;
        spdlog::info("Binance stream connected: {}{}", ws_endpoint.authority(), targets[g]);
        const auto connected_at = Clock::now();
        bool got_message = false;
        while (!stopping) {
          std::string_view msg = co_await ws->read();
          if (!got_message) backoff = opt.reconnect_initial, got_message = true;
          handle(msg);
          if (Clock::now() - connected_at >= opt.max_connection_age) {
            planned = true;
            break;
          }
        }
        if (planned && !stopping) co_await ws->close();
      } catch (const boost::system::system_error& e) {
        why = e.code().message();
      } catch (const RestCanceled&) {
        why = "stopped";
      } catch (const std::exception& e) {
        why = e.what();
      }
      bump(pings, ws->pings_received());
      clients[g] = nullptr;
      if (stopping) break;
      if (planned && why.empty()) {
        spdlog::info("Binance stream: reconnecting before the 24-hour connection limit");
        continue;
      }
      const auto half = backoff.count() / 2;
      const auto delay =
          std::chrono::milliseconds(half + std::uniform_int_distribution<std::int64_t>(
                                               0, std::max<std::int64_t>(half, 1))(rng));
      spdlog::warn("Binance stream {}: {}; reconnecting in {} ms", ws_endpoint.authority(), why,
                   delay.count());
      timer.expires_after(delay);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      backoff = std::min(backoff * 2, opt.reconnect_max);
    }
    timers[g] = nullptr;
  }
};

KlineCollector::KlineCollector(KlineCollectorOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.opt = std::move(options);
  if (m.opt.symbols.empty()) throw std::invalid_argument("no symbols to collect");
  if (!interval_length_ms(m.opt.interval))
    throw std::invalid_argument(fmt::format("interval '{}' is not a Binance kline interval ({})",
                                            m.opt.interval, interval_names()));
  m.interval = Interval(m.opt.interval);
  if (m.opt.max_streams_per_connection == 0)
    throw std::invalid_argument("max_streams_per_connection must be at least 1");
  for (const auto& s : m.opt.symbols) {
    if (s.empty() || s.size() > 20 || !std::all_of(s.begin(), s.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        }))
      throw std::invalid_argument(
          fmt::format("symbol '{}': expected upper-case letters and digits, like BTCUSDT", s));
    if (m.states.count(Symbol(s)))
      throw std::invalid_argument(fmt::format("symbol '{}' is listed twice", s));
    m.states[Symbol(s)].symbol = Symbol(s);
  }
  m.ws_endpoint = Endpoint::parse(m.opt.ws_url);
  if (m.ws_endpoint.tls) detail::configure_tls_verification(m.tls, m.opt.ca_file);
  RestClientOptions ro;
  ro.url = m.opt.rest_url;
  ro.timeout = m.opt.rest_timeout;
  ro.ca_file = m.opt.ca_file;
  m.rest = std::make_unique<RestClient>(ro);
  for (std::size_t i = 0; i < m.opt.symbols.size(); i += m.opt.max_streams_per_connection) {
    const auto end = std::min(m.opt.symbols.size(), i + m.opt.max_streams_per_connection);
    std::vector<std::string> group(m.opt.symbols.begin() + static_cast<std::ptrdiff_t>(i),
                                   m.opt.symbols.begin() + static_cast<std::ptrdiff_t>(end));
    std::string target = m.ws_endpoint.base_path + "/stream?streams=";
    for (std::size_t k = 0; k < group.size(); ++k)
      target += (k ? "/" : "") + to_lower(group[k]) + "@kline_" + m.opt.interval;
    m.targets.push_back(std::move(target));
    m.groups.push_back(std::move(group));
  }
  m.clients.assign(m.groups.size(), nullptr);
  m.timers.assign(m.groups.size(), nullptr);
}

KlineCollector::~KlineCollector() {
  stop();
}

void KlineCollector::start(EventBus& bus, std::function<void(std::string)> finished) {
  Impl& m = *impl_;
  if (m.thread.joinable() || m.stopping) throw std::logic_error("KlineCollector: already started");
  m.bus = &bus;
  m.finished = std::move(finished);
  for (std::size_t g = 0; g < m.groups.size(); ++g)
    asio::co_spawn(m.io, m.run_connection(g), asio::detached);
  m.thread = std::thread([&m] {
    try {
      m.io.run();
      m.finish({});
    } catch (const std::exception& e) {
      m.finish(fmt::format("Binance collector: {}", e.what()));
    }
  });
}

void KlineCollector::stop() {
  Impl& m = *impl_;
  if (!m.thread.joinable()) return;
  m.rest->cancel();  // a backfill blocks the I/O thread; this ends it
  asio::post(m.io, [&m] { m.request_local_stop(); });
  if (m.thread.get_id() != std::this_thread::get_id()) m.thread.join();
}

KlineCollectorStats KlineCollector::stats() const {
  const Impl& m = *impl_;
  KlineCollectorStats s;
  s.candles = m.candles.load();
  s.backfilled_candles = m.backfilled.load();
  s.reconnects = m.reconnects.load();
  s.connections = m.connections.load();
  s.messages = m.messages.load();
  s.malformed_messages = m.malformed.load();
  s.other_messages = m.other.load();
  s.duplicates_skipped = m.duplicates.load();
  s.backfill_failures = m.backfill_failures.load();
  s.pings = m.pings.load();
  s.last_connected_ns = m.last_connected_ns.load();
  s.last_message_ns = m.last_message_ns.load(std::memory_order_relaxed);
  return s;
}

std::vector<std::string> KlineCollector::stream_targets() const {
  return impl_->targets;
}

}  // namespace tradebus::binance
