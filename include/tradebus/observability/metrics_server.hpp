// MetricsServer: the engine's HTTP face, on a thread of its own so a scrape never runs on the
// bus loop. Routes: /metrics (Prometheus text format), /healthz (process alive), /readyz
// (market data flowing, exchange reachable, state store writable: 503 with the reason when
// not), / (the dashboard: one self-contained page) and /api/state (JSON the page polls).
// Binds 127.0.0.1 unless told otherwise; a non-loopback address needs allow_public.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "tradebus/observability/metrics_registry.hpp"

namespace tradebus {

class MetricsServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MetricsServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;     ///< 0: any free port (see bound_address()).
  bool allow_public = false;  ///< Needed to bind anything but a loopback address.
};

/// "[ADDR:]PORT" as given to --serve; throws MetricsServerError saying what is wrong.
MetricsServerOptions parse_serve_address(const std::string& text);

struct Readiness {
  bool ready = true;
  std::string detail;  ///< Why not, or what was checked.
};

class MetricsServer {
 public:
  MetricsServer(MetricsServerOptions options, std::shared_ptr<const MetricsRegistry> registry);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// The JSON /api/state returns (called on the server thread).
  void set_state(std::function<std::string()> state_json);
  /// What /readyz reports (called on the server thread).
  void set_readiness(std::function<Readiness()> readiness);

  /// Binds and starts serving. Throws MetricsServerError: a public address without
  /// allow_public, an address that does not parse, a port in use.
  void start();
  /// "127.0.0.1:PORT", the address actually bound.
  std::string bound_address() const;
  void stop();
  std::uint64_t requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tradebus
