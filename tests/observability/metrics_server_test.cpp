// The metrics model, the Prometheus text it becomes, and the HTTP server on a real loopback
// socket: routes, readiness, the dashboard page, and refusing public addresses.
#include "tradebus/observability/metrics_server.hpp"

#include <gtest/gtest.h>

#include "support/http_get.hpp"
#include "tradebus/bus/event_bus.hpp"
#include "tradebus/observability/engine_metrics.hpp"

using namespace tradebus;

namespace {

std::shared_ptr<MetricsRegistry> sample_registry() {
  auto r = std::make_shared<MetricsRegistry>();
  r->add([](std::vector<MetricFamilyData>& out) {
    out.push_back(metric("tradebus_test_total", "A counter", MetricKind::counter)
                      .add(3, {{"queue", "order"}}));
    out.push_back(metric("tradebus_test_depth", "A gauge", MetricKind::gauge).add(1.5));
    MetricFamilyData h = metric("tradebus_test_seconds", "A histogram", MetricKind::histogram);
    MetricSample s;
    s.count = 4;
    s.sum = 0.01;
    s.buckets = {{0.001, 1}, {0.01, 3}};
    h.samples.push_back(s);
    out.push_back(h);
  });
  return r;
}

TEST(Metrics, PrometheusTextHasTypesHelpLabelsAndBuckets) {
  const std::string text = sample_registry()->prometheus_text();
  EXPECT_NE(text.find("# HELP tradebus_test_total A counter"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE tradebus_test_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("tradebus_test_total{queue=\"order\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE tradebus_test_depth gauge"), std::string::npos) << text;
  EXPECT_NE(text.find("tradebus_test_depth 1.5"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE tradebus_test_seconds histogram"), std::string::npos) << text;
  EXPECT_NE(text.find("tradebus_test_seconds_bucket{le=\"0.01\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("tradebus_test_seconds_bucket{le=\"+Inf\"} 4"), std::string::npos) << text;
  EXPECT_NE(text.find("tradebus_test_seconds_count 4"), std::string::npos) << text;
}

TEST(Metrics, BusMetricsCountWhatTheBusDid) {
  EventBusOptions o;
  o.pending_orders_file.clear();
  o.handler_timing_sample = 1;
  EventBus bus(o);
  bus.subscribe_sync(
      EventType::candle_closed, [](const Event&) {}, "test.on_candle");
  MetricsRegistry r;
  r.add(bus_metrics(bus));
  bus.start();
  for (int i = 0; i < 25; ++i)
    bus.publish(Event(EventType::candle_closed, Candle{}, i, "t"));
  ASSERT_TRUE(bus.wait_idle(std::chrono::seconds(10)));
  const std::string text = r.prometheus_text();
  bus.stop();
  EXPECT_NE(text.find("tradebus_queue_published_total{queue=\"data\"} 25"), std::string::npos)
      << text;
  EXPECT_NE(text.find("tradebus_queue_capacity{queue=\"order\"} 50"), std::string::npos);
  EXPECT_NE(
      text.find(
          "tradebus_handler_calls_total{handler=\"test.on_candle\",event=\"CANDLE_CLOSED\"} 25"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("tradebus_handler_latency_seconds_count{handler=\"test.on_candle\","
                      "event=\"CANDLE_CLOSED\"} 25"),
            std::string::npos)
      << text;
}

TEST(MetricsServer, ServesEveryRouteOnLoopback) {
  MetricsServer server(MetricsServerOptions{}, sample_registry());
  bool ready = false;
  server.set_readiness([&] { return Readiness{ready, ready ? "" : "market data not connected"}; });
  server.set_state([] { return std::string(R"({"ok":true})"); });
  server.start();
  const std::string addr = server.bound_address();
  ASSERT_EQ(addr.rfind("127.0.0.1:", 0), 0u) << addr;
  EXPECT_NE(addr, "127.0.0.1:0");

  auto r = test::http_get(addr, "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.headers.find("text/plain; version=0.0.4"), std::string::npos) << r.headers;
  EXPECT_NE(r.body.find("tradebus_test_total"), std::string::npos);
  EXPECT_EQ(test::http_get(addr, "/healthz").status, 200);
  r = test::http_get(addr, "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("market data not connected"), std::string::npos) << r.body;
  ready = true;
  EXPECT_EQ(test::http_get(addr, "/readyz").status, 200);
  r = test::http_get(addr, "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<canvas id=\"depth\""), std::string::npos);
  EXPECT_EQ(r.body.find("http://"), std::string::npos) << "the page loads nothing from outside";
  EXPECT_EQ(r.body.find("https://"), std::string::npos) << "the page loads nothing from outside";
  EXPECT_EQ(test::http_get(addr, "/api/state").body, R"({"ok":true})");
  EXPECT_EQ(test::http_get(addr, "/nothing").status, 404);
  EXPECT_EQ(server.requests(), 7u);
  server.stop();
  EXPECT_EQ(test::http_get(addr, "/healthz").status, 0) << "still answering after stop()";
}

TEST(MetricsServer, RefusesAPublicAddressUnlessAllowed) {
  auto o = parse_serve_address("0.0.0.0:0");
  EXPECT_EQ(o.address, "0.0.0.0");
  MetricsServer refused(o, sample_registry());
  try {
    refused.start();
    FAIL() << "bound 0.0.0.0 without allow_public";
  } catch (const MetricsServerError& e) {
    EXPECT_NE(std::string(e.what()).find("refusing to serve on 0.0.0.0"), std::string::npos);
  }
  o.allow_public = true;
  MetricsServer allowed(o, sample_registry());
  EXPECT_NO_THROW(allowed.start());
  EXPECT_EQ(allowed.bound_address().rfind("0.0.0.0:", 0), 0u);
}

TEST(MetricsServer, ParsesServeAddresses) {
  EXPECT_EQ(parse_serve_address("9100").address, "127.0.0.1");
  EXPECT_EQ(parse_serve_address("9100").port, 9100);
  EXPECT_EQ(parse_serve_address("127.0.0.2:0").address, "127.0.0.2");
  EXPECT_EQ(parse_serve_address("[::1]:80").address, "::1");
  for (const char* bad : {"", "x", ":80", "127.0.0.1:", "127.0.0.1:70000", "1:-1"})
    EXPECT_THROW(parse_serve_address(bad), MetricsServerError) << bad;
  MetricsServer s(parse_serve_address("not-an-ip:0"), sample_registry());
  EXPECT_THROW(s.start(), MetricsServerError);
}

}  // namespace
