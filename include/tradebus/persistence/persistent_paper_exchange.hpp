// PersistentPaperExchange: the paper exchange with its own record in the state store (tables
// `paper_orders` and `paper_fills`), so a paper run can be killed and resumed: it reloads its
// open orders, and recovery can look up any order it ever accepted. Its records are staged
// before it reports to the engine, so after a crash the exchange never knows less than the
// engine about an order it handled. Loop thread only (as PaperExchange).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "tradebus/execution/paper_exchange.hpp"
#include "tradebus/persistence/state_store.hpp"

namespace tradebus {

class PersistentPaperExchange final : public Exchange, private ExecutionReports {
 public:
  /// Loads the open orders from `store`. Throws StateStoreError for an unreadable record.
  PersistentPaperExchange(std::shared_ptr<StateStore> store, PaperExchangeOptions options = {});

  std::string_view name() const override { return "paper"; }
  void attach(ExecutionReports& reports) override;
  void submit(const Order& order) override;
  void cancel(const ClientOrderId& id) override;
  void on_candle(const Candle& candle) override;
  std::vector<Order> open_orders() const override { return paper_.open_orders(); }
  OrderLookup look_up(const Order& order) override;

  std::uint64_t fills() const { return paper_.fills(); }

 private:
  void on_fill(const Fill& fill) override;
  void on_rejected(const Order& order, std::string_view reason) override;
  void on_canceled(const Order& order, std::string_view reason) override;
  void save(const Order& order);

  std::shared_ptr<StateStore> store_;
  PaperExchange paper_;
  ExecutionReports* engine_ = nullptr;
  std::unordered_map<std::string, Order> open_;  // accepted and not final, by client id
  bool rejected_ = false;
};

}  // namespace tradebus
