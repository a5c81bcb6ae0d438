// RecordingHandler: keeps what a bus handler saw, safe to read from the test thread.
#pragma once

#include <mutex>
#include <vector>

#include "tradebus/bus/event_bus.hpp"
#include "tradebus/model/event.hpp"

namespace tradebus::test {

class RecordingHandler {
 public:
  void operator()(const Event& e) {
    std::lock_guard lk(mu_);
    events_.push_back(e);
  }
  std::vector<Event> events() const {
    std::lock_guard lk(mu_);
    return events_;
  }
  std::size_t size() const {
    std::lock_guard lk(mu_);
    return events_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

/// Bus options for tests: no pending-orders file in the working directory.
inline EventBusOptions quiet_bus_options() {
  EventBusOptions o;
  o.pending_orders_file.clear();
  return o;
}

inline Event candle_event(std::int64_t i, const char* symbol = "BTCUSDT") {
  Candle c;
  c.symbol = symbol;
  c.open_time_ns = i;
  c.close = Decimal::from_int(100);
  return Event(EventType::candle_closed, c, i, "test");
}

inline Event signal_event(std::int64_t i) {
  Signal s;
  s.symbol = "BTCUSDT";
  s.time_ns = i;
  return Event(EventType::signal_generated, s, i, "test");
}

inline Event order_event(std::int64_t i) {
  Order o;
  o.client_order_id = ClientOrderId("o-" + std::to_string(i));
  o.symbol = "BTCUSDT";
  o.created_ns = i;
  return Event(EventType::order_created, o, i, "test");
}

}  // namespace tradebus::test
