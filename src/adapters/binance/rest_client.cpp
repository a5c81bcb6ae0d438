// The Beast side of RestClient. Each call runs one coroutine on a private io_context so that
// every step has a deadline, while the caller sees a plain blocking function.
#include "tradebus/adapters/binance/rest_client.hpp"

#include "tradebus/bus/bus_stats.hpp"

#include <poll.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "binance_json.hpp"
#include "tls_setup.hpp"
#include "tradebus/adapters/binance/request_signer.hpp"

namespace tradebus::binance {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::awaitable;
using asio::use_awaitable;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

void detail::configure_tls_verification(ssl::context& ctx, const std::string& ca_file) {
  boost::system::error_code ec;
  if (ca_file.empty())
    ctx.set_default_verify_paths(ec);
  else
    ctx.load_verify_file(ca_file, ec);
  if (ec)
    throw EndpointError(fmt::format("TLS: cannot load {}: {}",
                                    ca_file.empty() ? "the system CA store" : ca_file,
                                    ec.message()));
  ctx.set_verify_mode(ssl::verify_peer);
}

std::string RestResponse::describe() const {
  if (error_code != 0) return fmt::format("HTTP {}: {} {}", status, error_code, error_msg);
  std::string_view b = body;
  if (b.size() > 200) b = b.substr(0, 200);
  return fmt::format("HTTP {}: {}", status, b);
}

struct RestClient::Impl {
  RestClientOptions opt;
  Endpoint ep;
  std::shared_ptr<const RequestSigner> signer;
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_client};
  std::unique_ptr<beast::tcp_stream> tcp;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  bool connected = false;
  std::chrono::steady_clock::time_point last_used;

  std::atomic<bool> cancel_flag{false};
  std::mutex sleep_mu;
  std::condition_variable sleep_cv;

  std::atomic<std::int64_t> offset_ms{0};
  std::atomic<std::int64_t> used_weight{0};
  std::int64_t weight_minute = -1;
  std::chrono::steady_clock::time_point hold_until{};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<int> last_status{-1};  // -1: nothing sent yet; 0: the last request got no answer
  mutable std::mutex stats_mu;
  std::map<std::string, RestEndpointStats> endpoints;

  void count(const std::string& endpoint, int status, std::uint64_t ns, bool answered) {
    std::lock_guard lk(stats_mu);
    RestEndpointStats& e = endpoints[endpoint];
    e.endpoint = endpoint;
    ++e.by_status[status];
    if (!answered) return;
    ++e.timed;
    e.sum_ns += ns;
    for (std::size_t b = 0; b < kHandlerLatencyBoundsNs.size(); ++b)
      if (ns <= kHandlerLatencyBoundsNs[b]) ++e.cumulative[b];
  }
  std::atomic<std::uint64_t> connections{0};

  Impl(RestClientOptions o, std::shared_ptr<const RequestSigner> s)
      : opt(std::move(o)), ep(Endpoint::parse(opt.url)), signer(std::move(s)) {
    if (ep.tls) detail::configure_tls_verification(ctx, opt.ca_file);
  }

  beast::tcp_stream& lowest() { return ep.tls ? beast::get_lowest_layer(*tls) : *tcp; }

  void drop_connection() {
    boost::system::error_code ignored;
    if (tcp) tcp->socket().close(ignored);
    if (tls) beast::get_lowest_layer(*tls).socket().close(ignored);
    tcp.reset();
    tls.reset();
    connected = false;
  }

  // A kept-alive connection the server closed while idle reads as EOF; such a request would
  // fail with an unknown outcome, so check before sending instead.
  bool connection_still_open() {
    if (!connected) return false;
    pollfd p{};
    p.fd = lowest().socket().native_handle();
    p.events = POLLIN;
    if (::poll(&p, 1, 0) != 0) return false;  // readable while idle: closed or garbage
    return std::chrono::steady_clock::now() - last_used < std::chrono::seconds(50);
  }

  awaitable<void> connect() {
    drop_connection();
    asio::ip::tcp::resolver resolver(io);
    auto results = co_await resolver.async_resolve(ep.host, ep.port, use_awaitable);
    if (ep.tls) {
      tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, ctx);
      if (!SSL_set_tlsext_host_name(tls->native_handle(), ep.host.c_str()))
        throw RestUnknownError(fmt::format("TLS: cannot set SNI host name '{}'", ep.host));
      tls->set_verify_callback(ssl::host_name_verification(ep.host));
      beast::get_lowest_layer(*tls).expires_after(opt.timeout);
      co_await beast::get_lowest_layer(*tls).async_connect(results, use_awaitable);
      beast::get_lowest_layer(*tls).expires_after(opt.timeout);
      co_await tls->async_handshake(ssl::stream_base::client, use_awaitable);
    } else {
      tcp = std::make_unique<beast::tcp_stream>(io);
      tcp->expires_after(opt.timeout);
      co_await tcp->async_connect(results, use_awaitable);
    }
    lowest().socket().set_option(asio::ip::tcp::no_delay(true));
    connected = true;
    connections.fetch_add(1, std::memory_order_relaxed);
  }

  template <class Stream>
  awaitable<Response> round_trip(Stream& s, Request& req) {
    beast::get_lowest_layer(s).expires_after(opt.timeout);
    co_await http::async_write(s, req, use_awaitable);
    beast::flat_buffer buffer;
    Response res;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);  // full exchangeInfo is ~10 MB
    beast::get_lowest_layer(s).expires_after(opt.timeout);
    co_await http::async_read(s, buffer, parser, use_awaitable);
    res = parser.release();
    co_return res;
  }

  awaitable<Response> perform(Request req) {
    if (!connection_still_open()) co_await connect();
    // (No co_await inside ?: — g++ 12 miscompiles coroutine suspension in a conditional.)
    Response res;
    if (ep.tls)
      res = co_await round_trip(*tls, req);
    else
      res = co_await round_trip(*tcp, req);
    if (!res.keep_alive()) drop_connection();
    last_used = std::chrono::steady_clock::now();
    co_return res;
  }

  Response run(Request req) {
    std::optional<Response> result;
    std::exception_ptr error;
    auto task = perform(std::move(req));
    asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, Response r) {
      if (e)
        error = e;
      else
        result = std::move(r);
    });
    io.restart();
    io.run();
    if (result) return std::move(*result);
    drop_connection();
    if (cancel_flag.load() || !error) throw RestCanceled("REST request canceled");
    try {
      std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
      if (e.code() == beast::error::timeout)
        throw RestUnknownError(
            fmt::format("{}: no answer within {} ms", ep.authority(), opt.timeout.count()));
      throw RestUnknownError(fmt::format("{}: {}", ep.authority(), e.code().message()));
    }
  }

  void sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(sleep_mu);
    sleep_cv.wait_for(lock, d, [&] { return cancel_flag.load(); });
    if (cancel_flag.load()) throw RestCanceled("REST request canceled");
  }

  void respect_limits() {
    const auto now = std::chrono::steady_clock::now();
    // Rounded up: truncating would send up to 1 ms before Binance's Retry-After has passed.
    if (now < hold_until) sleep_for(std::chrono::ceil<std::chrono::milliseconds>(hold_until - now));
    const std::int64_t server_now = epoch_ms() + offset_ms.load();
    const std::int64_t minute = server_now / 60'000;
    if (minute == weight_minute &&
        used_weight.load() >= static_cast<std::int64_t>(static_cast<double>(opt.weight_limit_1m) *
                                                        opt.weight_slowdown_ratio)) {
      const auto wait = std::chrono::milliseconds((minute + 1) * 60'000 - server_now + 50);
      spdlog::warn("Binance REST: used weight {} of {} this minute; waiting {} ms",
                   used_weight.load(), opt.weight_limit_1m, wait.count());
      sleep_for(wait);
    }
  }
};

RestClient::RestClient(RestClientOptions options, std::shared_ptr<const RequestSigner> signer)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(signer))) {}

RestClient::~RestClient() = default;

RestResponse RestClient::send(HttpMethod method, std::string_view path, std::string_view params,
                              bool is_signed) {
  Impl& m = *impl_;
  if (m.cancel_flag.load()) throw RestCanceled("REST request canceled");
  m.respect_limits();

  std::string total(params);
  if (is_signed) {
    if (!m.signer) throw std::logic_error("signed Binance request without an API secret");
    if (!total.empty()) total += '&';
    total += fmt::format("recvWindow={}&timestamp={}", m.opt.recv_window.count(),
                         epoch_ms() + m.offset_ms.load());
    total += "&signature=" + m.signer->sign(total);
  }
  const http::verb verb = method == HttpMethod::get    ? http::verb::get
                          : method == HttpMethod::post ? http::verb::post
                                                       : http::verb::delete_;
  std::string target = m.ep.base_path + std::string(path);
  if (method != HttpMethod::post && !total.empty()) target += "?" + total;
  Request req{verb, target, 11};
  req.set(http::field::host, m.ep.host);
  req.set(http::field::user_agent, "tradebus/0.1");
  req.keep_alive(true);
  if (is_signed) req.set("X-MBX-APIKEY", m.opt.api_key);
  if (method == HttpMethod::post) {
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.body() = total;
  }
  req.prepare_payload();

  m.requests.fetch_add(1, std::memory_order_relaxed);
  const std::string endpoint = fmt::format("{} {}",
                                           method == HttpMethod::get    ? "GET"
                                           : method == HttpMethod::post ? "POST"
                                                                        : "DELETE",
                                           path);
  const auto sent_at = std::chrono::steady_clock::now();
  Response res;
  try {
    res = m.run(std::move(req));
  } catch (const RestUnknownError&) {
    m.count(endpoint, 0, 0, false);
    m.last_status.store(0, std::memory_order_relaxed);
    throw;
  }
  m.last_status.store(static_cast<int>(res.result_int()), std::memory_order_relaxed);
  m.count(endpoint, static_cast<int>(res.result_int()),
          static_cast<std::uint64_t>((std::chrono::steady_clock::now() - sent_at).count()), true);

  RestResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  if (auto it = res.find("X-MBX-USED-WEIGHT-1M"); it != res.end()) {
    std::int64_t w = 0;
    if (detail::parse_int(it->value(), w)) {
      out.used_weight_1m = w;
      m.used_weight.store(w);
      m.weight_minute = (epoch_ms() + m.offset_ms.load()) / 60'000;
    }
  }
  if (auto it = res.find(http::field::retry_after); it != res.end()) {
    std::int64_t s = 0;
    if (detail::parse_int(it->value(), s) && s >= 0 && s < 86'400 * 7) {
      out.retry_after_s = static_cast<int>(s);
    }
  }
  if (out.status == 429 || out.status == 418) {
    const int wait_s = out.retry_after_s.value_or(out.status == 418 ? 120 : 5);
    m.hold_until = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
    spdlog::warn("Binance REST: HTTP {} (rate limit); holding requests for {} s", out.status,
                 wait_s);
  }
  if (!out.ok()) detail::parse_error_body(out.body, out.error_code, out.error_msg);
  return out;
}

std::chrono::milliseconds RestClient::sync_clock() {
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t local0 = epoch_ms();
  RestResponse r = get("/api/v3/time");
  const auto rtt =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  if (!r.ok()) throw RestUnknownError("GET /api/v3/time: " + r.describe());
  std::int64_t server = 0;
  if (!detail::parse_server_time(r.body, server))
    throw RestUnknownError("GET /api/v3/time: no serverTime in " + r.body.substr(0, 200));
  const std::int64_t offset = server - (local0 + rtt.count() / 2);
  impl_->offset_ms.store(offset);
  return std::chrono::milliseconds(offset);
}

std::chrono::milliseconds RestClient::clock_offset() const {
  return std::chrono::milliseconds(impl_->offset_ms.load());
}

std::int64_t RestClient::server_time_ms() const {
  return epoch_ms() + impl_->offset_ms.load();
}

void RestClient::cancel() {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.sleep_mu);
    m.cancel_flag.store(true);
  }
  m.sleep_cv.notify_all();
  asio::post(m.io, [&m] {
    boost::system::error_code ignored;
    if (m.tcp) m.tcp->socket().cancel(ignored);
    if (m.tls) beast::get_lowest_layer(*m.tls).socket().cancel(ignored);
    m.io.stop();
  });
}

bool RestClient::canceled() const {
  return impl_->cancel_flag.load();
}

void RestClient::sleep_for(std::chrono::milliseconds d) {
  impl_->sleep_for(d);
}

std::int64_t RestClient::used_weight_1m() const {
  return impl_->used_weight.load();
}

int RestClient::last_status() const {
  return impl_->last_status.load(std::memory_order_relaxed);
}

std::vector<RestEndpointStats> RestClient::endpoint_stats() const {
  std::lock_guard lk(impl_->stats_mu);
  std::vector<RestEndpointStats> out;
  for (const auto& [k, v] : impl_->endpoints)
    out.push_back(v);
  return out;
}

std::uint64_t RestClient::requests_sent() const {
  return impl_->requests.load();
}

std::uint64_t RestClient::connections_opened() const {
  return impl_->connections.load();
}

}  // namespace tradebus::binance
