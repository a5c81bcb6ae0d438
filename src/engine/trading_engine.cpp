#include "tradebus/engine/trading_engine.hpp"

#include <cxxabi.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <typeinfo>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "tradebus/model/event_json.hpp"

namespace tradebus {
namespace asio = boost::asio;

namespace {
void bump(std::atomic<std::uint64_t>& c) noexcept {
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

// Built once: an event's source is copied, not measured and copied, on every publish.
constexpr SourceId kStrategySource("strategy");
constexpr SourceId kOrderManagerSource("order_manager");

// "std::runtime_error" rather than the mangled "St13runtime_error".
std::string type_name(const std::exception& ex) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(typeid(ex).name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(typeid(ex).name());
}

bool is_order_path(std::string_view component) {
  return component == "order_manager" || component == "exchange" || component == "execution";
}

// SIGINT and SIGTERM unblocked in this thread while run() runs, the caller's mask restored after
// (declared after the signal set, so they are blocked again before it goes away).
class SignalsUnblocked {
 public:
  explicit SignalsUnblocked(bool active) : active_(active) {
    if (!active_) return;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, &old_);
  }
  ~SignalsUnblocked() {
    if (active_) pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SignalsUnblocked(const SignalsUnblocked&) = delete;
  SignalsUnblocked& operator=(const SignalsUnblocked&) = delete;

 private:
  bool active_;
  sigset_t old_{};
};
}  // namespace

struct TradingEngine::Impl : ExecutionReports, SignalSink {
  explicit Impl(EngineOptions o) : options(std::move(o)), bus(options.bus) { setup_handlers(); }

  EngineOptions options;
  EventBus bus;
  std::shared_ptr<DataCollector> collector;
  std::vector<std::shared_ptr<Strategy>> strategies;
  std::shared_ptr<OrderManager> order_manager;
  std::shared_ptr<Exchange> exchange;
  SourceId exchange_source = SourceId("exchange");  // the exchange's name, cut to fit
  std::shared_ptr<OrderStore> store;
  RecoveryReport recovery_report;
  std::function<void(const ErrorInfo&)> critical_alert;
  std::vector<std::function<void(const Candle&)>> candle_observers;
  std::vector<std::function<void()>> start_hooks;

  // Counters: written by the loop thread (single writer), read anywhere.
  std::atomic<std::uint64_t> candles{0}, signals{0}, orders{0}, fills{0}, rejected{0}, canceled{0},
      errors{0}, critical_errors{0}, repeated_signals{0};
  std::atomic<bool> store_failed{false};
  std::string store_error;  // guarded by run_mu

  // run() control.
  std::mutex run_mu;
  asio::io_context* control = nullptr;
  std::atomic<bool> stop_requested{false};
  std::string collector_error;

  // The strategy being called, for the signals it emits.
  const Candle* current_candle = nullptr;

  void setup_handlers() {
    bus.subscribe_sync(
        EventType::candle_closed, [this](const Event& e) { on_candle(e); }, "engine.on_candle");
    bus.subscribe_sync(
        EventType::signal_generated, [this](const Event& e) { on_signal(e); }, "engine.on_signal");
    bus.subscribe_sync(
        EventType::order_created, [this](const Event& e) { on_order_created(e); },
        "engine.on_order_created");
    bus.subscribe_sync(
        EventType::order_filled, [this](const Event& e) { on_order_filled(e); },
        "engine.on_order_filled");
    bus.subscribe_sync(
        EventType::order_rejected, [this](const Event& e) { on_order_closed(e); },
        "engine.on_order_rejected");
    bus.subscribe_sync(
        EventType::order_canceled, [this](const Event& e) { on_order_closed(e); },
        "engine.on_order_canceled");
    bus.subscribe_sync(
        EventType::error, [this](const Event& e) { on_error(e); }, "engine.on_error");
  }

  // --- handlers (loop thread) ------------------------------------------------
  void on_candle(const Event& e) {
    const Candle& c = e.as<Candle>();
    bump(candles);
    for (auto& obs : candle_observers)
      obs(c);
    if (exchange) guarded("exchange", Severity::critical, e, [&] { exchange->on_candle(c); });
    if (order_manager)
      guarded("order_manager", Severity::error, e, [&] { order_manager->on_candle(c); });
    current_candle = &c;
    for (auto& s : strategies)
      guarded("strategy", Severity::warning, e, [&] { s->on_candle(c, *this); });
    current_candle = nullptr;
  }

  void emit(const Signal& s) override {  // SignalSink: called by strategies inside on_candle
    bump(signals);
    bus.publish(EventType::signal_generated, s, s.time_ns, kStrategySource);
  }

  void on_signal(const Event& e) {
    const Signal& s = e.as<Signal>();
    if (!order_manager) {
      spdlog::error("signal {} {} from {} ignored: no order manager configured",
                    to_string(s.direction), s.symbol.view(), s.strategy_id.view());
      return;
    }
    if (store && store->has_order_for(s)) {
      bump(repeated_signals);
      return;
    }
    const std::optional<Order> order = order_for(s, e);
    if (!order) return;
    if (order->status == OrderStatus::rejected) {
      bus.publish(EventType::order_rejected, *order, e.timestamp_ns, kOrderManagerSource);
      return;
    }
    if (store && !record([&] { store->record_order(*order, &s); })) return;
    bump(orders);
    bus.publish(EventType::order_created, *order, e.timestamp_ns, kOrderManagerSource);
  }

  // The order manager's order for `s`, or none: none made, or create_order threw (persisted
  // and reported here). Returned, not assigned, so the order is built once in place.
  std::optional<Order> order_for(const Signal& s, const Event& e) {
    try {
      return order_manager->create_order(s, e.sequence);
    } catch (const std::exception& ex) {
      persist_failed_order(s, ex.what());
      publish_error("order_manager", Severity::critical, type_name(ex), ex.what(), to_json(s),
                    e.timestamp_ns);
      return std::nullopt;
    }
  }

  void on_order_created(const Event& e) {
    Order o = e.as<Order>();
    if (!exchange) {
      on_rejected(o, "no exchange configured");
      return;
    }
    o.status = OrderStatus::submitted;
    if (store && !record([&] { store->record_order(o); })) {
      on_rejected(o, "order store failed: not sent");
      return;
    }
    try {
      exchange->submit(o);
    } catch (const std::exception& ex) {
      on_rejected(o, ex.what());
      publish_error("exchange", Severity::critical, type_name(ex), ex.what(), to_json(o),
                    e.timestamp_ns);
    }
  }

  void on_order_filled(const Event& e) {
    bump(fills);
    if (order_manager) order_manager->on_fill(e.as<Fill>());
  }

  void on_order_closed(const Event& e) {
    bump(e.type == EventType::order_rejected ? rejected : canceled);
    if (order_manager) order_manager->on_order_closed(e.as<Order>());
  }

  void on_error(const Event& e) {
    const ErrorInfo& info = e.as<ErrorInfo>();
    bump(errors);
    if (info.severity == Severity::critical || is_order_path(info.component)) {
      bump(critical_errors);
      spdlog::critical("{} error ({}): {} [{}]", info.component.view(), info.error_type,
                       info.message, info.context);
      if (critical_alert) critical_alert(info);
    } else {
      spdlog::warn("{} error ({}): {}", info.component.view(), info.error_type, info.message);
    }
  }

  // --- ExecutionReports (any thread) ----------------------------------------
  void on_fill(const Fill& f) override {
    if (store) record([&] { store->record_fill(f); });
    bus.publish(EventType::order_filled, f, f.time_ns, exchange_source);
  }
  void on_rejected(const Order& o, std::string_view reason) override {
    report_closed(o, OrderStatus::rejected, EventType::order_rejected, reason);
  }
  void on_canceled(const Order& o, std::string_view reason) override {
    report_closed(o, OrderStatus::canceled, EventType::order_canceled, reason);
  }
  // Records the final state, then publishes it (the store first: see OrderStore).
  void report_closed(const Order& o, OrderStatus status, EventType type, std::string_view why) {
    Order r = o;
    r.status = status;
    r.reason = FixedString<47>::truncated(why);
    if (store) record([&] { store->record_order(r); });
    bus.publish(type, r, o.created_ns, exchange_source);
  }
  void on_acknowledged(const Order& o) override {
    if (!store) return;
    Order r = o;
    r.status = OrderStatus::acknowledged;
    record([&] { store->record_order(r); });
  }
  void wait_recorded() override {
    if (!store) return;
    try {
      store->wait_durable();
    } catch (const StoreFailedError& ex) {
      on_store_failed(ex.what());
      throw;
    }
  }
  std::string_view exchange_name() const { return exchange ? exchange->name() : "exchange"; }

  // --- helpers ----------------------------------------------------------------
  // Runs a store write; on failure trading stops (nothing may continue without durability).
  template <class F>
  bool record(F&& fn) {
    try {
      fn();
      return true;
    } catch (const StoreFailedError& ex) {
      on_store_failed(ex.what());
      return false;
    }
  }

  void on_store_failed(std::string_view what) {
    if (store_failed.exchange(true)) return;
    {
      std::lock_guard lk(run_mu);
      store_error = fmt::format("order store failed, trading stopped: {}", what);
    }
    publish_error("order_store", Severity::critical, "StoreFailedError", std::string(what), "", 0);
    request_stop();
  }

  template <class F>
  void guarded(std::string_view component, Severity sev, const Event& e, F&& fn) {
    try {
      fn();
    } catch (const std::exception& ex) {
      publish_error(component, sev, type_name(ex), ex.what(), to_json(e), e.timestamp_ns);
    }
  }

  void publish_error(std::string_view component, Severity sev, std::string type,
                     std::string message, std::string context, std::int64_t ts) {
    ErrorInfo info{ShortId::truncated(component), sev, std::move(type), std::move(message),
                   std::move(context)};
    Event err(EventType::error, std::move(info), ts, "engine");
    if (!bus.try_publish(err)) {
      // The signal queue is full: handle it right here rather than lose it.
      on_error(err);
    }
  }

  void persist_failed_order(const Signal& s, std::string_view what) {
    const auto line = fmt::format(R"({{"signal":{},"error":"{}"}})", to_json(s), json_escape(what));
    spdlog::critical("order creation failed, attempt persisted: {}", line);
    if (options.failed_orders_file.empty()) return;
    std::ofstream out(options.failed_orders_file, std::ios::app);
    out << line << '\n';
    if (!out) spdlog::critical("could not append to {}", options.failed_orders_file);
  }

  // --- recovery (run() thread, before the bus starts) ----------------------------
  OrderLookup look_up_until_sure(const Order& o) {
    OrderLookup r;
    for (int attempt = 1; attempt <= std::max(1, options.recovery_attempts); ++attempt) {
      r = exchange->look_up(o);
      if (r.outcome != OrderLookup::Outcome::unknown) return r;
      spdlog::warn("recovery: order {} outcome unknown ({}), attempt {}", o.client_order_id.view(),
                   r.detail, attempt);
      if (attempt < options.recovery_attempts)
        std::this_thread::sleep_for(std::chrono::milliseconds(100) * attempt);
    }
    throw std::runtime_error(fmt::format(
        "recovery: the exchange gave no sure answer for order {} after {} attempts ({}); not "
        "trading until it does",
        o.client_order_id.view(), options.recovery_attempts, r.detail));
  }

  void recover() {
    const auto t0 = std::chrono::steady_clock::now();
    if (!order_manager) throw std::logic_error("an order store needs an order manager");
    if (!exchange) throw std::logic_error("an order store needs an exchange");
    StoredOrders stored = store->load();
    RecoveryReport& rep = recovery_report;
    rep.unfinished = stored.unfinished.size();
    rep.fills_replayed = stored.fills.size();
    rep.from_snapshot = !stored.portfolio_snapshot.empty();
    order_manager->resume(stored);
    // The recorded fills of the orders to reconcile. OrderOutbox hands over only those orders'
    // fills already; the filter keeps an OrderStore that hands over more from mixing another
    // order's fills into the reconciliation.
    std::map<std::string, std::vector<Fill>, std::less<>> known;
    for (const StoredOrder& so : stored.unfinished)
      known.try_emplace(std::string(so.order.client_order_id.view()));
    for (const Fill& f : stored.unfinished_fills)
      if (auto it = known.find(f.client_order_id.view()); it != known.end())
        it->second.push_back(f);
    const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    // Ask first, act after: every look-up is answered before anything is resubmitted, so an
    // exchange that serves look-ups and sends orders on one connection never has both going.
    std::vector<OrderLookup> answers;
    answers.reserve(stored.unfinished.size());
    for (const StoredOrder& so : stored.unfinished)
      answers.push_back(look_up_until_sure(so.order));
    for (std::size_t i = 0; i < stored.unfinished.size(); ++i) {
      const StoredOrder& so = stored.unfinished[i];
      const OrderLookup& found = answers[i];
      Order o = so.order;
      std::vector<Fill>& have = known[std::string(o.client_order_id.view())];
      if (found.outcome == OrderLookup::Outcome::absent) {
        if (now_ns - so.recorded_ns > options.resubmit_window.count()) {
          o.status = OrderStatus::expired;
          o.reason = FixedString<47>::truncated("never reached the exchange; too old to send");
          store->record_order(o);
          order_manager->on_order_closed(o);
          ++rep.expired;
          spdlog::warn("recovery: order {} never reached the exchange and is too old: expired",
                       o.client_order_id.view());
          continue;
        }
        o.status = OrderStatus::submitted;
        store->record_order(o);
        exchange->submit(o);
        ++rep.resubmitted;
        spdlog::info("recovery: order {} never reached the exchange: resubmitted",
                     o.client_order_id.view());
        continue;
      }
      ++rep.adopted;
      for (const Fill& f : found.fills) {
        const bool seen = std::any_of(have.begin(), have.end(), [&](const Fill& k) {
          return f.trade_id != 0 ? k.trade_id == f.trade_id : k == f;
        });
        if (seen) continue;
        store->record_fill(f);
        order_manager->on_fill(f);
        have.push_back(f);
        bump(fills);
        ++rep.fills_recovered;
      }
      o.filled_quantity = Quantity{};
      for (const Fill& f : have)
        o.filled_quantity += f.quantity;
      if (is_final(found.status)) {
        o.status = found.status;
        store->record_order(o);
        if (found.status != OrderStatus::filled || (!have.empty() && !have.back().order_complete))
          order_manager->on_order_closed(o);
      } else {
        o.status = found.status;
        store->record_order(o);
        exchange->resume(o, have);
      }
      spdlog::info("recovery: order {} adopted from the exchange ({})", o.client_order_id.view(),
                   to_string(found.status));
    }
    store->wait_durable();
    rep.duration_ns = (std::chrono::steady_clock::now() - t0).count();
    if (rep.unfinished)
      spdlog::info(
          "recovery: {} unfinished orders: {} adopted, {} resubmitted, {} expired; {} fills "
          "recovered",
          rep.unfinished, rep.adopted, rep.resubmitted, rep.expired, rep.fills_recovered);
  }

  // --- lifecycle --------------------------------------------------------------
  std::string run() {
    asio::io_context ctl;
    auto guard = asio::make_work_guard(ctl);
    std::optional<asio::signal_set> signals;
    if (options.handle_signals) {
      signals.emplace(ctl, SIGINT, SIGTERM);
      signals->async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        spdlog::info("signal {} received: shutting down", sig);
        request_stop();
      });
    }
    // A caller may hold these signals blocked while it starts (the CLI does, so a Ctrl-C during
    // start-up is not the default action): one already pending is delivered here, to the set.
    SignalsUnblocked unblocked(options.handle_signals);
    {
      std::lock_guard lk(run_mu);
      control = &ctl;
      if (stop_requested) ctl.stop();
    }
    if (exchange) exchange->attach(*this);
    if (store) recover();
    ctl.poll();  // a signal that came during start-up or recovery: no market data then
    spdlog::info("starting TradingEngine: {} strategies, exchange {}", strategies.size(),
                 exchange_name());
    bus.start();
    for (auto& hook : start_hooks)
      hook();
    if (collector && !stop_requested) {
      collector->start(bus, [this](std::string error) {
        if (!error.empty()) spdlog::error("data collector {} failed: {}", collector->name(), error);
        std::lock_guard lk(run_mu);
        collector_error = std::move(error);
        if (control) asio::post(*control, [c = control] { c->stop(); });
      });
    }
    ctl.run();  // until the collector finished or a stop was requested
    {
      std::lock_guard lk(run_mu);
      control = nullptr;
    }
    if (signals) signals->cancel();
    spdlog::info("shutting down TradingEngine");
    if (collector) collector->stop();
    if (exchange) {
      // Orders still travelling to a real exchange answer with fills: let them land first.
      bus.wait_idle(options.shutdown_timeout);
      if (!exchange->finish_pending(options.shutdown_timeout))
        spdlog::warn("exchange {} still has requests in flight at shutdown", exchange_name());
    }
    const bool drained = bus.shutdown(options.shutdown_timeout);
    if (!drained) spdlog::warn("event bus did not drain within the shutdown timeout");
    if (store) {
      try {
        store->wait_durable();
      } catch (const StoreFailedError& ex) {
        on_store_failed(ex.what());
      }
    }
    spdlog::info("TradingEngine shutdown complete");
    std::lock_guard lk(run_mu);
    if (!store_error.empty())
      return collector_error.empty() ? store_error : collector_error + "; " + store_error;
    return collector_error;
  }

  void request_stop() {
    stop_requested = true;
    std::lock_guard lk(run_mu);
    if (control) asio::post(*control, [c = control] { c->stop(); });
  }
};

TradingEngine::TradingEngine(EngineOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
TradingEngine::~TradingEngine() = default;

EventBus& TradingEngine::bus() noexcept {
  return impl_->bus;
}
void TradingEngine::set_data_collector(std::shared_ptr<DataCollector> c) {
  impl_->collector = std::move(c);
}
void TradingEngine::set_strategy(std::shared_ptr<Strategy> s) {
  impl_->strategies.clear();
  add_strategy(std::move(s));
}
void TradingEngine::add_strategy(std::shared_ptr<Strategy> s) {
  if (!s) throw std::invalid_argument("TradingEngine::add_strategy: null strategy");
  for (auto& existing : impl_->strategies)
    if (existing->id() == s->id())
      throw std::invalid_argument(fmt::format("duplicate strategy id '{}'", s->id()));
  impl_->strategies.push_back(std::move(s));
}
void TradingEngine::set_order_manager(std::shared_ptr<OrderManager> m) {
  impl_->order_manager = std::move(m);
}
void TradingEngine::set_exchange(std::shared_ptr<Exchange> x) {
  impl_->exchange = std::move(x);
  impl_->exchange_source = SourceId::truncated(impl_->exchange_name());
}
void TradingEngine::set_order_store(std::shared_ptr<OrderStore> s) {
  impl_->store = std::move(s);
}
RecoveryReport TradingEngine::recovery() const {
  return impl_->recovery_report;
}
void TradingEngine::set_critical_alert(std::function<void(const ErrorInfo&)> a) {
  impl_->critical_alert = std::move(a);
}
void TradingEngine::add_start_hook(std::function<void()> h) {
  impl_->start_hooks.push_back(std::move(h));
}
void TradingEngine::add_candle_observer(std::function<void(const Candle&)> o) {
  impl_->candle_observers.push_back(std::move(o));
}
std::string TradingEngine::run() {
  return impl_->run();
}
void TradingEngine::request_stop() {
  impl_->request_stop();
}
bool TradingEngine::stop_requested() const noexcept {
  return impl_->stop_requested.load();
}

EngineCounters TradingEngine::counters() const {
  auto r = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  return {r(impl_->candles), r(impl_->signals),         r(impl_->orders),
          r(impl_->fills),   r(impl_->rejected),        r(impl_->canceled),
          r(impl_->errors),  r(impl_->critical_errors), r(impl_->repeated_signals)};
}

}  // namespace tradebus
