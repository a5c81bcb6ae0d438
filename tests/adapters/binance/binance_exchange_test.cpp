// BinanceExchange against the fake Binance: signed orders, and no order lost or doubled when the
// network or the server fails at the worst moment.
#include "tradebus/adapters/binance/binance_exchange.hpp"

#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "support/fake_market.hpp"
#include "tradebus/adapters/binance/request_signer.hpp"
#include "tradebus/adapters/binance/rest_client.hpp"

using namespace tradebus;
using namespace tradebus::binance;
using namespace std::chrono_literals;
using fakes::FakeBinance;
using fakes::OrderFault;
using test::eventually;

namespace {

struct Reports final : ExecutionReports {
  std::mutex mu;
  std::vector<Fill> fills;
  std::vector<std::string> rejections;
  void on_fill(const Fill& f) override {
    std::lock_guard lock(mu);
    fills.push_back(f);
  }
  void on_rejected(const Order&, std::string_view why) override {
    std::lock_guard lock(mu);
    rejections.emplace_back(why);
  }
  void on_canceled(const Order&, std::string_view) override {}
};

struct Rig {
  explicit Rig(fakes::FakeBinanceOptions fo = {}) : fake(fo) {
    fake.add_symbol(test::fake_symbol("BTCUSDT", test::wave_candles("BTCUSDT", 10)));
    fake.start();
  }
  std::unique_ptr<BinanceExchange> exchange(std::string secret = "fake-api-secret") {
    BinanceExchangeOptions o;
    o.rest_url = fake.rest_url();
    o.api_key = "fake-api-key";
    o.signer = std::make_shared<RequestSigner>(std::move(secret));
    o.timeout = 300ms;
    o.recv_window = 500ms;
    o.poll_interval = 50ms;
    auto x = std::make_unique<BinanceExchange>(o);
    x->connect({"BTCUSDT"});
    x->attach(reports);
    return x;
  }
  FakeBinance fake;
  Reports reports;
};

Order market_buy(const std::string& id, const std::string& qty = "0.01") {
  Order o;
  o.client_order_id = ClientOrderId(id);
  o.symbol = "BTCUSDT";
  o.strategy_id = "test";
  o.side = Side::buy;
  o.type = OrderType::market;
  o.quantity = Decimal::from_string(qty);
  o.reference_price = Decimal::from_int(20'000);
  return o;
}

std::size_t orders_with_id(const FakeBinance& fake, const std::string& id) {
  std::size_t n = 0;
  for (const auto& o : fake.orders())
    n += o.client_order_id == id;
  return n;
}

}  // namespace

TEST(BinanceExchange, PlacesASignedMarketOrderAndReportsItsFills) {
  Rig rig;
  auto x = rig.exchange();
  x->submit(market_buy("t-1"));
  ASSERT_TRUE(x->wait_idle(10s));
  ASSERT_EQ(rig.reports.fills.size(), 1u);
  const Fill& f = rig.reports.fills[0];
  EXPECT_EQ(f.client_order_id.view(), "t-1");
  EXPECT_EQ(f.quantity, Decimal::from_string("0.01"));
  EXPECT_TRUE(f.order_complete);
  EXPECT_EQ(f.fee_asset.view(), "USDT");
  // 10 bps of the notional, to the cent and beyond.
  EXPECT_EQ(f.fee, Decimal::mul_ratio(Decimal::mul(f.price, f.quantity), 10, 10'000));
  ASSERT_EQ(rig.fake.orders().size(), 1u);
  EXPECT_EQ(rig.fake.orders()[0].status, "FILLED");
  EXPECT_EQ(rig.fake.bad_signatures(), 0u);
  // The secret never goes on the wire; the key does, as a header.
  for (const auto& r : rig.fake.request_log())
    EXPECT_EQ(r.find("fake-api-secret"), std::string::npos) << r;
}

TEST(BinanceExchange, MeasuresTheClockOffsetSoTimestampsAreAccepted) {
  fakes::FakeBinanceOptions fo;
  fo.clock_skew_ms = -4'000;  // Binance's clock 4 s behind ours: unsynced, we'd be "ahead"
  Rig rig(fo);
  auto x = rig.exchange();
  EXPECT_LT(x->stats().clock_offset.count(), -3'500);
  x->submit(market_buy("t-skew"));
  ASSERT_TRUE(x->wait_idle(10s));
  EXPECT_EQ(rig.reports.fills.size(), 1u);
  EXPECT_TRUE(rig.reports.rejections.empty());
}

TEST(BinanceExchange, BinanceErrorsBecomeRejectionsWithCodeAndMessage) {
  Rig rig;
  auto x = rig.exchange();
  x->submit(market_buy("t-lot", "0.000001"));  // below the step size: the exchange refuses
  ASSERT_TRUE(x->wait_idle(10s));
  ASSERT_EQ(rig.reports.rejections.size(), 1u);
  EXPECT_EQ(rig.reports.rejections[0], "-1013 Filter failure: LOT_SIZE");
  EXPECT_TRUE(rig.reports.fills.empty());
}

TEST(BinanceExchange, AWrongSecretIsRejectedBySignatureCheck) {
  Rig rig;
  auto x = rig.exchange("not-the-secret");
  x->submit(market_buy("t-sig"));
  ASSERT_TRUE(x->wait_idle(10s));
  ASSERT_EQ(rig.reports.rejections.size(), 1u);
  EXPECT_EQ(rig.reports.rejections[0], "-1022 Signature for this request is not valid.");
  EXPECT_EQ(rig.fake.bad_signatures(), 1u);
  EXPECT_TRUE(rig.fake.orders().empty());
}

// Each fault leaves the outcome unknown or refused; the order must exist exactly once.
class UnknownOutcome : public ::testing::TestWithParam<OrderFault> {};

TEST_P(UnknownOutcome, NeverDuplicatesOrLosesTheOrder) {
  Rig rig;
  auto x = rig.exchange();
  rig.fake.push_order_fault(GetParam(), 800ms, 1);
  x->submit(market_buy("t-once"));
  ASSERT_TRUE(x->wait_idle(20s));
  EXPECT_EQ(orders_with_id(rig.fake, "t-once"), 1u);
  ASSERT_EQ(rig.reports.fills.size(), 1u);
  const Fill& f = rig.reports.fills[0];
  EXPECT_TRUE(f.order_complete);
  // Found by a query (totals only) or answered in full: either way the exact trade and fee.
  EXPECT_NE(f.trade_id, 0u);
  EXPECT_EQ(f.fee, Decimal::mul_ratio(Decimal::mul(f.price, f.quantity), 10, 10'000));
  EXPECT_EQ(f.fee_asset.view(), "USDT");
  EXPECT_TRUE(rig.reports.rejections.empty());
  EXPECT_EQ(rig.fake.orders()[0].status, "FILLED");
}

INSTANTIATE_TEST_SUITE_P(
    Faults, UnknownOutcome,
    ::testing::Values(OrderFault::error_500_after_accept, OrderFault::timeout_after_accept,
                      OrderFault::drop_after_accept, OrderFault::error_503_before_accept,
                      OrderFault::delay_before_processing, OrderFault::rate_limit_429));

TEST(BinanceExchange, AnOrderThatNeverArrivedIsResubmittedWithTheSameId) {
  Rig rig;
  auto x = rig.exchange();
  rig.fake.push_order_fault(OrderFault::delay_before_processing, 800ms);  // goes stale: refused
  x->submit(market_buy("t-stale"));
  ASSERT_TRUE(x->wait_idle(20s));
  EXPECT_EQ(rig.fake.order_requests(), 2u);
  EXPECT_EQ(orders_with_id(rig.fake, "t-stale"), 1u);
  const auto s = x->stats();
  EXPECT_EQ(s.unknown_outcomes, 1u);
  EXPECT_EQ(s.resubmits, 1u);
}

TEST(BinanceExchange, HonoursRetryAfterOn429) {
  Rig rig;
  auto x = rig.exchange();
  rig.fake.push_order_fault(OrderFault::rate_limit_429, {}, 1);
  const auto t0 = std::chrono::steady_clock::now();
  x->submit(market_buy("t-429"));
  ASSERT_TRUE(x->wait_idle(20s));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_EQ(x->stats().rate_limited, 1u);
  EXPECT_EQ(orders_with_id(rig.fake, "t-429"), 1u);
}

TEST(BinanceExchange, OpenLimitOrdersAreTrackedAndCanBeCanceled) {
  Rig rig;
  auto x = rig.exchange();
  Order o = market_buy("t-limit");
  o.type = OrderType::limit;
  o.limit_price = Decimal::from_string("20600.00");  // the wave trades through it
  x->submit(o);
  ASSERT_TRUE(x->wait_idle(10s));
  EXPECT_EQ(x->open_orders().size(), 1u);
  // No stream client here: the fake's market only runs once one connects, so it stays NEW.
  EXPECT_EQ(rig.fake.orders()[0].status, "NEW");
  x->cancel(ClientOrderId("t-limit"));
  ASSERT_TRUE(eventually([&] { return x->open_orders().empty(); }, 10s));
  EXPECT_EQ(rig.fake.orders()[0].status, "CANCELED");
}

TEST(RestClient, TracksUsedWeightAndParsesBinanceErrors) {
  Rig rig;
  RestClientOptions o;
  o.url = rig.fake.rest_url();
  RestClient rest(o);
  auto r = rest.get("/api/v3/klines", "symbol=NOPE&interval=1m");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_code, -1121);
  EXPECT_EQ(r.error_msg, "Invalid symbol.");
  ASSERT_TRUE(r.used_weight_1m.has_value());
  EXPECT_GT(*r.used_weight_1m, 0);
  EXPECT_EQ(rest.connections_opened(), 1u);
  rest.get("/api/v3/time");
  EXPECT_EQ(rest.connections_opened(), 1u);  // kept alive
}

TEST(RestClient, SlowsDownNearTheWeightLimit) {
  Rig rig;
  RestClientOptions o;
  o.url = rig.fake.rest_url();
  o.weight_limit_1m = 100;
  RestClient rest(o);
  rig.fake.add_used_weight(95);
  rest.get("/api/v3/time");  // learns the weight: 96 of 100
  EXPECT_GE(rest.used_weight_1m(), 90);
  // The next request would wait for the next minute; cancel proves it was waiting.
  std::thread canceler([&] {
    std::this_thread::sleep_for(200ms);
    rest.cancel();
  });
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(rest.get("/api/v3/time"), RestCanceled);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
  canceler.join();
}

TEST(RestClient, ATimeoutIsAnUnknownOutcome) {
  Rig rig;
  rig.fake.set_response_delay(500ms);
  RestClientOptions o;
  o.url = rig.fake.rest_url();
  o.timeout = 100ms;
  RestClient rest(o);
  EXPECT_THROW(rest.get("/api/v3/time"), RestUnknownError);
}

TEST(BinanceExchange, ReadsAccountBalancesWithASignedRequest) {
  Rig rig;
  auto x = rig.exchange();
  x->submit(market_buy("t-bal"));
  ASSERT_TRUE(x->wait_idle(10s));
  std::map<std::string, Decimal> held;
  for (const auto& b : x->balances())
    held[b.asset] = b.free;
  ASSERT_EQ(rig.reports.fills.size(), 1u);
  const Fill& f = rig.reports.fills[0];
  EXPECT_EQ(held["BTC"], Decimal::from_string("0.01"));
  // 100,000 USDT less the notional and the fee, exactly.
  EXPECT_EQ(held["USDT"], Decimal::from_int(100'000) - Decimal::mul(f.price, f.quantity) - f.fee);
}

// Recovery: what Binance did with an order the previous process may have sent.
TEST(BinanceRecovery, LooksOrdersUpByClientIdAfterTheRecvWindowHasPassed) {
  Rig rig;
  {
    auto first = rig.exchange();  // "the previous process": places one order, then dies
    first->submit(market_buy("rec-1"));
    ASSERT_TRUE(eventually([&] { return orders_with_id(rig.fake, "rec-1") == 1; }));
    ASSERT_TRUE(first->wait_idle(5s));
  }
  auto x = rig.exchange();
  const auto t0 = std::chrono::steady_clock::now();
  const OrderLookup found = x->look_up(market_buy("rec-1"));
  // "Absent" is only sure once a request sent before this start can no longer be accepted.
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 400ms);
  ASSERT_EQ(found.outcome, OrderLookup::Outcome::found) << found.detail;
  EXPECT_EQ(found.status, OrderStatus::filled);
  ASSERT_EQ(found.fills.size(), 1u);
  EXPECT_EQ(found.fills[0].quantity, Decimal::from_string("0.01"));
  EXPECT_TRUE(found.fills[0].order_complete);
  EXPECT_NE(found.fills[0].trade_id, 0u);

  const OrderLookup absent = x->look_up(market_buy("rec-never-sent"));
  EXPECT_EQ(absent.outcome, OrderLookup::Outcome::absent);
  EXPECT_EQ(orders_with_id(rig.fake, "rec-never-sent"), 0u) << "a look-up placed an order";
}

TEST(BinanceRecovery, NothingIsSentWhileTheEngineCannotRecordTheOrder) {
  struct FailingRecords final : ExecutionReports {
    std::mutex mu;
    std::vector<std::string> rejections;
    void on_fill(const Fill&) override {}
    void on_rejected(const Order&, std::string_view why) override {
      std::lock_guard lock(mu);
      rejections.emplace_back(why);
    }
    void on_canceled(const Order&, std::string_view) override {}
    void wait_recorded() override { throw std::runtime_error("disk full"); }
  } failing;
  Rig rig;
  auto x = rig.exchange();
  x->attach(failing);
  x->submit(market_buy("rec-2"));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(failing.mu);
    return !failing.rejections.empty();
  }));
  EXPECT_EQ(rig.fake.order_requests(), 0u);
  std::lock_guard lock(failing.mu);
  EXPECT_NE(failing.rejections[0].find("not sent: disk full"), std::string::npos);
}
