// The one Beast translation unit of the observability target.
#include "tradebus/observability/metrics_server.hpp"

#include <atomic>
#include <charconv>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "dashboard_page.hpp"

namespace tradebus {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

MetricsServerOptions parse_serve_address(const std::string& text) {
  MetricsServerOptions o;
  std::string port = text;
  const auto colon = text.rfind(':');
  if (colon != std::string::npos) {
    o.address = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (o.address.size() >= 2 && o.address.front() == '[' && o.address.back() == ']')
      o.address = o.address.substr(1, o.address.size() - 2);
    if (o.address.empty())
      throw MetricsServerError(fmt::format("--serve '{}': empty address before ':'", text));
  }
  unsigned value = 0;
  const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || p != port.data() + port.size() || value > 65535)
    throw MetricsServerError(
        fmt::format("--serve '{}': expected [ADDR:]PORT with PORT 0-65535", text));
  o.port = static_cast<std::uint16_t>(value);
  return o;
}

struct MetricsServer::Impl {
  MetricsServerOptions options;
  std::shared_ptr<const MetricsRegistry> registry;
  std::function<std::string()> state;
  std::function<Readiness()> readiness;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::string bound;
  std::atomic<std::uint64_t> requests{0};

  http::response<http::string_body> answer(const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.keep_alive(req.keep_alive());
    res.set(http::field::server, "tradebus");
    res.set(http::field::cache_control, "no-store");
    const std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::allow, "GET, HEAD");
      res.body() = "only GET\n";
    } else if (path == "/metrics") {
      res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res.body() = registry->prometheus_text();
    } else if (path == "/healthz") {
      res.set(http::field::content_type, "text/plain");
      res.body() = "ok\n";
    } else if (path == "/readyz") {
      const Readiness r = readiness ? readiness() : Readiness{};
      res.result(r.ready ? http::status::ok : http::status::service_unavailable);
      res.set(http::field::content_type, "text/plain");
      res.body() =
          (r.ready ? "ready" : "not ready") + (r.detail.empty() ? "" : ": " + r.detail) + "\n";
    } else if (path == "/" || path == "/index.html") {
      res.set(http::field::content_type, "text/html; charset=utf-8");
      res.body() = std::string(kDashboardPage);
    } else if (path == "/api/state") {
      res.set(http::field::content_type, "application/json");
      res.body() = state ? state() : "{}";
    } else {
      res.result(http::status::not_found);
      res.set(http::field::content_type, "text/plain");
      res.body() = "not found\n";
    }
    res.prepare_payload();
    if (req.method() == http::verb::head) res.body().clear();
    return res;
  }

  asio::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (;;) {
      http::request<http::string_body> req;
      stream.expires_after(std::chrono::seconds(30));
      co_await http::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;  // closed, timed out or not HTTP: nothing to answer
      requests.fetch_add(1, std::memory_order_relaxed);
      http::response<http::string_body> res;
      try {
        res = answer(req);
      } catch (const std::exception& e) {
        res = http::response<http::string_body>{http::status::internal_server_error, req.version()};
        res.body() = fmt::format("error: {}\n", e.what());
        res.prepare_payload();
      }
      const bool keep = res.keep_alive();
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !keep) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        continue;
      }
      asio::co_spawn(io, session(std::move(socket)), [](std::exception_ptr p) {
        if (!p) return;
        try {
          std::rethrow_exception(p);
        } catch (const std::exception& e) {
          spdlog::warn("metrics server session: {}", e.what());
        }
      });
    }
  }
};

MetricsServer::MetricsServer(MetricsServerOptions options,
                             std::shared_ptr<const MetricsRegistry> registry)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->registry = std::move(registry);
  if (!impl_->registry) throw std::invalid_argument("MetricsServer: null registry");
}

MetricsServer::~MetricsServer() {
  stop();
}

void MetricsServer::set_state(std::function<std::string()> s) {
  impl_->state = std::move(s);
}
void MetricsServer::set_readiness(std::function<Readiness()> r) {
  impl_->readiness = std::move(r);
}

void MetricsServer::start() {
  Impl& m = *impl_;
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(m.options.address, ec);
  if (ec)
    throw MetricsServerError(fmt::format("--serve: '{}' is not an IP address", m.options.address));
  if (!addr.is_loopback() && !m.options.allow_public)
    throw MetricsServerError(
        fmt::format("--serve: refusing to serve on {} (reachable from other machines); pass "
                    "--serve-public to allow it",
                    m.options.address));
  const tcp::endpoint ep(addr, m.options.port);
  m.acceptor.open(ep.protocol(), ec);
  if (!ec) m.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor.bind(ep, ec);
  if (!ec) m.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw MetricsServerError(fmt::format("--serve: cannot listen on {}:{}: {}", m.options.address,
                                         m.options.port, ec.message()));
  const auto local = m.acceptor.local_endpoint();
  m.bound = addr.is_v6() ? fmt::format("[{}]:{}", local.address().to_string(), local.port())
                         : fmt::format("{}:{}", local.address().to_string(), local.port());
  asio::co_spawn(m.io, m.accept_loop(), [](std::exception_ptr) {});
  m.thread = std::thread([&m] { m.io.run(); });
  spdlog::info("metrics and dashboard on http://{}/", m.bound);
}

std::string MetricsServer::bound_address() const {
  return impl_->bound;
}

void MetricsServer::stop() {
  Impl& m = *impl_;
  if (!m.thread.joinable()) return;
  asio::post(m.io, [&m] {
    boost::system::error_code ec;
    m.acceptor.close(ec);
    m.io.stop();
  });
  m.thread.join();
}

std::uint64_t MetricsServer::requests() const {
  return impl_->requests.load(std::memory_order_relaxed);
}

}  // namespace tradebus
