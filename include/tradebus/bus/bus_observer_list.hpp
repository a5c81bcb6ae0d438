// BusObserverList: lets several observers (journal, dead letters, metrics) watch one bus,
// which takes a single observer. Called in the order added; not owned.
#pragma once

#include <vector>

#include "tradebus/bus/event_bus.hpp"

namespace tradebus {

class BusObserverList final : public BusObserver {
 public:
  void add(BusObserver* o) {
    if (o) list_.push_back(o);
  }
  bool empty() const { return list_.empty(); }

  void on_dispatch(const Event& e) override {
    for (auto* o : list_)
      o->on_dispatch(e);
  }
  void on_handler_error(const Event& e, std::string_view h, std::string_view w) override {
    for (auto* o : list_)
      o->on_handler_error(e, h, w);
  }
  void on_dead_letter(const Event& e, std::string_view h, std::string_view w, int n) override {
    for (auto* o : list_)
      o->on_dead_letter(e, h, w, n);
  }
  void on_dropped(const Event& e, Lane l) override {
    for (auto* o : list_)
      o->on_dropped(e, l);
  }
  void on_unprocessed(const Event& e, Lane l) override {
    for (auto* o : list_)
      o->on_unprocessed(e, l);
  }

 private:
  std::vector<BusObserver*> list_;
};

}  // namespace tradebus
