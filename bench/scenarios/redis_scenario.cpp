// Collector -> strategy across a local Redis: a RedisEventPublisher (pipelined XADD) feeding one
// StrategyGroupMember (XREADGROUP, strategy, fenced XADD + XACK), beside what redis-benchmark
// gets for XADD with the same pipeline depth and entry size on the same server.
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "scenarios.hpp"
#include "tradebus/strategies/sma_cross.hpp"
#include "tradebus/transport/redis/redis_connection.hpp"
#include "tradebus/transport/redis/redis_event_publisher.hpp"
#include "tradebus/transport/redis/strategy_group_member.hpp"

extern char** environ;

namespace tradebus::bench {
namespace {

std::string find_binary(const char* name) {
  for (const char* dir : {"/usr/bin", "/usr/local/bin"}) {
    const auto p = std::filesystem::path(dir) / name;
    if (std::filesystem::exists(p)) return p.string();
  }
  return {};
}

// A throw-away redis-server without persistence, stopped by pid.
class LocalRedis {
 public:
  LocalRedis(const std::string& dir, int port) : port_(port) {
    const auto bin = find_binary("redis-server");
    if (bin.empty()) return;
    std::vector<std::string> args{
        bin,      "--port", std::to_string(port), "--bind", "127.0.0.1", "--dir",           dir,
        "--save", "",       "--appendonly",       "no",     "--logfile", dir + "/redis.log"};
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, bin.c_str(), nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
    for (int i = 0; i < 200 && pid_ > 0; ++i) {
      try {
        redis::RedisConnection c(endpoint(), std::chrono::milliseconds(200));
        c.connect();
        if (c.command({"PING"}).str == "PONG") {
          up_ = true;
          return;
        }
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  ~LocalRedis() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  bool up() const { return up_; }
  redis::RedisEndpoint endpoint() const {
    redis::RedisEndpoint ep;
    ep.port = port_;
    return ep;
  }

 private:
  int port_;
  pid_t pid_ = -1;
  bool up_ = false;
};

std::vector<Candle> walk(const std::string& symbol, std::uint64_t n, std::int64_t first_minute) {
  std::vector<Candle> out;
  out.reserve(n);
  std::uint64_t x = 88172645463325252ULL;
  std::int64_t cents = 2'000'000;
  for (std::uint64_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    cents += static_cast<std::int64_t>(x % 2001) - 1000;
    Candle c;
    c.symbol = Symbol(symbol);
    c.interval = "1m";
    c.open_time_ns = (first_minute + static_cast<std::int64_t>(i)) * 60'000'000'000LL;
    c.close_time_ns = c.open_time_ns + 59'999'000'000LL;
    c.open = c.high = c.low = c.close = Decimal::from_raw(cents * 1'000'000);
    c.volume = Decimal::from_int(1);
    out.push_back(c);
  }
  return out;
}

redis::StrategyMemberOptions member_options(const LocalRedis& r, std::vector<std::string> symbols,
                                            const std::string& prefix) {
  redis::StrategyMemberOptions o;
  o.endpoint = r.endpoint();
  o.names.prefix = prefix;
  o.member = "bench";
  o.symbols = std::move(symbols);
  o.max_pending = 1'000'000'000;  // nobody consumes the execution stream here
  o.make_strategies = [] {
    return std::vector<std::shared_ptr<Strategy>>{std::make_shared<SmaCross>("sma", 10, 30)};
  };
  return o;
}

// Polls with a sleep: on two cores a spinning observer would take a core from the two threads
// and the server being measured. (poll 0: yield, for the one-in-flight latency, where a sleep's
// timer slack would be most of what is measured.)
template <class F>
bool wait_until(F done, std::chrono::seconds limit,
                std::chrono::microseconds poll = std::chrono::microseconds(500)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    if (poll.count() == 0)
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(poll);
  }
  return true;
}

// redis-benchmark's XADD rate with `pipeline` commands in flight and a `bytes`-long value.
double redis_benchmark_xadd(int port, std::size_t pipeline, std::size_t bytes) {
  const auto bin = find_binary("redis-benchmark");
  if (bin.empty()) return -1;
  const std::string cmd = fmt::format(
      "{} -p {} -n 200000 -P {} -q --csv XADD bench:xadd MAXLEN '~' 10000 '*' v 1 e {} 2>/dev/null",
      bin, port, pipeline, std::string(bytes, 'x'));
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::string out;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p))
    out.append(buf.data(), n);
  ::pclose(p);
  // "test","rps",... then "XADD ...","554016.62",...
  const auto line = out.find('\n');
  if (line == std::string::npos) return -1;
  const auto q1 = out.find("\",\"", line);
  if (q1 == std::string::npos) return -1;
  return std::atof(out.c_str() + q1 + 3);
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0) ::close(fd);
  return port;
}

// Everything published as fast as the publisher takes it; events/s once the member has
// processed and committed the last one, or -1.
double throughput(const LocalRedis& server, const std::vector<std::string>& symbols,
                  const std::vector<std::vector<Candle>>& series, std::uint64_t per_symbol,
                  std::size_t events_per_entry, RedisFigures& f) {
  const std::string prefix = fmt::format("thr{}", events_per_entry);
  const std::uint64_t total = per_symbol * symbols.size();
  redis::RedisPublisherOptions po;
  po.endpoint = server.endpoint();
  po.names.prefix = prefix;
  po.capacity = static_cast<std::size_t>(total) + 1;  // measure transport, not drops
  po.market_data_maxlen = static_cast<std::size_t>(total);
  po.events_per_entry = events_per_entry;
  redis::RedisEventPublisher publisher(po);
  redis::StrategyGroupMember member(member_options(server, symbols, prefix));
  member.start();
  if (!wait_until([&] { return member.owned_symbols().size() == symbols.size(); },
                  std::chrono::seconds(10))) {
    f.note = "the member did not take its symbols";
    return -1;
  }
  publisher.start();
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < per_symbol; ++i)
    for (const auto& s : series)
      publisher.publish(Event(EventType::candle_closed, s[i], s[i].close_time_ns, "bench"));
  const bool done =
      wait_until([&] { return member.stats().candles >= total; }, std::chrono::seconds(120));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  member.stop();
  publisher.stop();
  std::string blob;
  redis::append_event(Event(EventType::candle_closed, series[0][0], 0, "bench"), blob);
  f.entry_bytes = blob.size();
  f.batch = po.batch;
  if (!done)
    f.note = fmt::format("{} of {} candles processed in 120 s", member.stats().candles, total);
  return done ? static_cast<double>(total) / s : -1;
}

}  // namespace

RedisFigures redis_transport(std::uint64_t events, const std::string& dir) {
  RedisFigures f;
  const int port = free_loopback_port();
  std::filesystem::create_directories(dir);
  LocalRedis server(dir, port);
  if (!server.up()) {
    f.note = "redis-server not found or did not start: run scripts/install-deps.sh";
    return f;
  }
  const std::vector<std::string> symbols{"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT"};
  const std::uint64_t per_symbol = events / symbols.size();
  std::vector<std::vector<Candle>> series;
  for (const auto& s : symbols)
    series.push_back(walk(s, per_symbol, 0));

  f.events_per_s = throughput(server, symbols, series, per_symbol, 64, f);
  f.events_per_s_one_per_entry = throughput(server, symbols, series, per_symbol / 4, 1, f);
  if (f.events_per_s < 0) return f;

  // Latency: one candle in flight, publish -> processed and committed by the member.
  {
    redis::RedisPublisherOptions po;
    po.endpoint = server.endpoint();
    po.names.prefix = "lat";
    redis::RedisEventPublisher publisher(po);
    redis::StrategyGroupMember member(member_options(server, {"BTCUSDT"}, "lat"));
    member.start();
    publisher.start();
    wait_until([&] { return member.owned_symbols().size() == 1; }, std::chrono::seconds(10));
    const auto candles = walk("BTCUSDT", 2'000, 10'000'000);
    std::vector<double> us;
    for (const auto& c : candles) {
      const auto before = member.stats().candles;
      const auto t0 = std::chrono::steady_clock::now();
      publisher.publish(Event(EventType::candle_closed, c, c.close_time_ns, "bench"));
      if (!wait_until([&] { return member.stats().candles > before; }, std::chrono::seconds(5),
                      std::chrono::microseconds(0)))
        break;
      us.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    member.stop();
    publisher.stop();
    if (!us.empty()) {
      std::nth_element(us.begin(), us.begin() + static_cast<std::ptrdiff_t>(us.size() / 2),
                       us.end());
      f.latency_p50_us = us[us.size() / 2];
    }
  }
  f.redis_benchmark_xadd_per_s = redis_benchmark_xadd(port, f.batch, f.entry_bytes);
  return f;
}

}  // namespace tradebus::bench
