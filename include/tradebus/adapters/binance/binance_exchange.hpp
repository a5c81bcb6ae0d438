// BinanceExchange: real orders through the signed REST API, behind the same Exchange interface
// as the paper exchange (the seed's OrderExecution). submit()/cancel() only queue the request;
// one worker thread sends them in order over one keep-alive connection.
//
// No order is lost or doubled on retries. Our newClientOrderId goes with every order. When the
// outcome is UNKNOWN (network error, time-out, 5xx) the worker waits until Binance can no longer
// accept the request (its timestamp + recvWindow has passed on Binance's clock), then queries the
// order by client order id: found -> report what it did; never seen (-2013) -> resubmit with
// the same id. A 429/418 waits for Retry-After (Binance did not process the request).
// Orders still open after the answer (limit orders) are polled for fills.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tradebus/adapters/binance/endpoint.hpp"
#include "tradebus/adapters/binance/rest_client.hpp"
#include "tradebus/adapters/binance/symbol_filters.hpp"
#include "tradebus/engine/exchange.hpp"

namespace tradebus::binance {

class RequestSigner;

struct BinanceExchangeOptions {
  std::string rest_url{kBinanceRestUrl};
  std::string api_key;                          ///< Never logged.
  std::shared_ptr<const RequestSigner> signer;  ///< Holds the secret.
  std::string ca_file;  ///< PEM CA bundle to trust instead of the system store.
  std::chrono::milliseconds timeout{5'000};
  std::chrono::milliseconds recv_window{5'000};
  int max_attempts = 6;  ///< Sends of one order (resubmits after a confirmed absence included).
  std::chrono::milliseconds poll_interval{1'000};  ///< Open orders are queried this often.
  std::int64_t weight_limit_1m = 6000;
};

struct BinanceExchangeStats {
  std::uint64_t submitted = 0;         ///< Orders handed to submit().
  std::uint64_t requests = 0;          ///< REST requests sent.
  std::uint64_t unknown_outcomes = 0;  ///< Sends whose outcome had to be queried.
  std::uint64_t resubmits = 0;         ///< Sends after Binance confirmed it never saw the order.
  std::uint64_t rate_limited = 0;      ///< 429/418 answers.
  std::uint64_t rejected = 0;
  std::uint64_t fills = 0;
  std::chrono::milliseconds clock_offset{0};
};

struct AssetBalance {
  std::string asset;
  Decimal free;
  Decimal locked;
};

class BinanceExchange final : public Exchange {
 public:
  /// Throws EndpointError for a bad URL, std::invalid_argument without a key or signer.
  explicit BinanceExchange(BinanceExchangeOptions options);
  ~BinanceExchange() override;

  /// Measures the clock offset and loads the trading rules of `symbols` from exchangeInfo; call
  /// before the engine starts. Throws std::runtime_error saying which request failed and why.
  void connect(const std::vector<std::string>& symbols);
  /// The loaded trading rules, for the order manager.
  std::shared_ptr<const ExchangeRules> rules() const;
  /// GET /api/v3/account (signed): non-zero balances.
  std::vector<AssetBalance> balances();

  std::string_view name() const override { return "binance"; }
  void attach(ExecutionReports& reports) override;
  void submit(const Order& order) override;
  void cancel(const ClientOrderId& id) override;
  std::vector<Order> open_orders() const override;
  /// GET /api/v3/order by client order id (+ myTrades), after Binance's clock has passed this
  /// process's start + recvWindow: a request the previous process sent may land until then.
  OrderLookup look_up(const Order& order) override;
  void resume(const Order& order, const std::vector<Fill>& known) override;
  bool finish_pending(std::chrono::nanoseconds timeout) override {
    return wait_idle(std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
  }

  /// Waits until every queued request is done (or `timeout`); true when idle.
  bool wait_idle(std::chrono::milliseconds timeout) const;
  /// Finishes the request in flight, then stops the worker; idempotent.
  void stop();
  BinanceExchangeStats stats() const;
  std::vector<RestEndpointStats> rest_stats() const;
  std::int64_t used_weight_1m() const;
  /// False when the last REST request got no answer (network error, time-out).
  bool reachable() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tradebus::binance
