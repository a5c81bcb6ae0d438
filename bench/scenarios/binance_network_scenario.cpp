// Network figures against the fake Binance on loopback: signed order round trip, and how soon
// after a stream outage the first backfilled candle arrives.
#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "fake_binance.hpp"
#include "scenarios.hpp"
#include "tradebus/adapters/binance/kline_collector.hpp"
#include "tradebus/adapters/binance/request_signer.hpp"
#include "tradebus/adapters/binance/rest_client.hpp"
#include "tradebus/bus/event_bus.hpp"

namespace tradebus::bench {
namespace {

std::vector<Candle> flat_candles(std::size_t n) {
  std::vector<Candle> out;
  for (std::size_t i = 0; i < n; ++i) {
    Candle c;
    c.symbol = "BTCUSDT";
    c.interval = "1m";
    c.open_time_ns = (1'577'836'800'000LL + static_cast<std::int64_t>(i) * 60'000) * 1'000'000;
    c.close_time_ns = c.open_time_ns + 59'999'000'000LL;
    c.open = c.high = c.low = c.close = Decimal::from_int(20'000);
    c.volume = Decimal::from_int(1);
    out.push_back(c);
  }
  return out;
}

fakes::FakeSymbol btc(std::size_t candles) {
  fakes::FakeSymbol s;
  s.symbol = "BTCUSDT";
  s.base_asset = "BTC";
  s.quote_asset = "USDT";
  s.candles = flat_candles(candles);
  return s;
}

}  // namespace

double rest_order_roundtrip_p50_us(std::size_t orders) {
  fakes::FakeBinanceOptions fo;
  fo.quote_balance = "100000000";
  fakes::FakeBinance fake(fo);
  fake.add_symbol(btc(10));
  fake.start();
  binance::RestClientOptions ro;
  ro.url = fake.rest_url();
  ro.api_key = fo.api_key;
  binance::RestClient rest(ro, std::make_shared<binance::RequestSigner>(fo.api_secret));
  rest.sync_clock();
  std::vector<double> us;
  us.reserve(orders);
  for (std::size_t i = 0; i < orders; ++i) {
    const std::string params = fmt::format(
        "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&newClientOrderId=bench-{}&"
        "newOrderRespType=FULL",
        i);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = rest.send(binance::HttpMethod::post, "/api/v3/order", params, true);
    const auto t1 = std::chrono::steady_clock::now();
    if (!r.ok()) return 0;
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::nth_element(us.begin(), us.begin() + static_cast<std::ptrdiff_t>(us.size() / 2), us.end());
  return us[us.size() / 2];
}

ReconnectTimes reconnect_to_backfill_ms() {
  fakes::FakeBinanceOptions fo;
  fo.candle_period = std::chrono::milliseconds(20);
  fakes::FakeBinance fake(fo);
  fake.add_symbol(btc(100'000));
  fake.start();
  EventBus bus;
  bus.start();
  binance::KlineCollectorOptions o;  // default back-off: 100 ms doubling, with jitter
  o.symbols = {"BTCUSDT"};
  o.ws_url = fake.ws_url();
  o.rest_url = fake.rest_url();
  binance::KlineCollector collector(o);
  collector.start(bus, [](std::string) {});
  auto wait_for = [](auto done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done() && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    return done();
  };
  if (!wait_for([&] { return collector.stats().candles >= 5; })) return {-1, -1};
  const auto outage = std::chrono::milliseconds(500);
  fake.refuse_streams_for(outage);
  fake.drop_connections();
  const auto back = std::chrono::steady_clock::now() + outage;
  if (!wait_for([&] { return collector.stats().backfilled_candles > 0; })) return {-1, -1};
  const auto now = std::chrono::steady_clock::now();
  const std::chrono::steady_clock::time_point connected{
      std::chrono::nanoseconds(collector.stats().last_connected_ns)};
  ReconnectTimes t;
  t.from_reconnect_ms = std::chrono::duration<double, std::milli>(now - connected).count();
  t.from_server_back_ms = std::chrono::duration<double, std::milli>(now - back).count();
  collector.stop();
  bus.shutdown(std::chrono::seconds(5));
  return t;
}

}  // namespace tradebus::bench
