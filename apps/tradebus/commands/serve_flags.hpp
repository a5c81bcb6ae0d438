// --serve [ADDR:]PORT and --serve-public: the metrics endpoint and live dashboard of a run.
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "tradebus/observability/dashboard_state.hpp"
#include "tradebus/observability/engine_metrics.hpp"
#include "tradebus/observability/metrics_server.hpp"

namespace tradebus::cli {

struct ServeFlags {
  std::string serve;
  bool allow_public = false;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--serve", serve,
                    "serve /metrics, /healthz, /readyz and a live dashboard on [ADDR:]PORT "
                    "(ADDR 127.0.0.1 unless given; PORT 0 picks a free one)");
    cmd->add_flag("--serve-public", allow_public,
                  "allow --serve on an address other machines can reach");
  }
  bool enabled() const { return !serve.empty(); }
  /// Throws MetricsServerError for a bad address (before anything starts).
  MetricsServerOptions options() const {
    MetricsServerOptions o = parse_serve_address(serve);
    o.allow_public = allow_public;
    return o;
  }
};

/// Everything a served run shows: built before engine.run(), stopped after it.
struct ServedRun {
  std::shared_ptr<MetricsRegistry> registry = std::make_shared<MetricsRegistry>();
  std::unique_ptr<TradingSnapshot> snapshot;
  std::unique_ptr<MetricsServer> server;

  /// Registers the engine's collectors and the books; starts the server and prints where.
  void start(const ServeFlags& flags, TradingEngine& engine,
             std::shared_ptr<const Portfolio> portfolio, std::shared_ptr<const Exchange> exchange,
             const std::string& quote, const std::string& title,
             std::function<Readiness()> readiness = {}) {
    registry->add(bus_metrics(engine.bus()));
    registry->add(engine_metrics(engine));
    snapshot =
        std::make_unique<TradingSnapshot>(engine, std::move(portfolio), std::move(exchange), quote);
    registry->add(snapshot->metrics());
    server = std::make_unique<MetricsServer>(flags.options(), registry);
    server->set_state(
        [this, title] { return dashboard_state_json(*registry, snapshot.get(), title); });
    if (readiness) server->set_readiness(std::move(readiness));
    server->start();
    std::cerr << "serving metrics and dashboard on http://" << server->bound_address() << "/"
              << std::endl;
  }
};

}  // namespace tradebus::cli
