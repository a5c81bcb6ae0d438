#include "tradebus/adapters/binance/binance_exchange.hpp"

#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "binance_json.hpp"
#include "tradebus/adapters/binance/rest_client.hpp"

namespace tradebus::binance {
namespace {

struct Command {
  enum class Kind { submit, cancel, look_up } kind = Kind::submit;
  Order order;
  ClientOrderId id;
  std::shared_ptr<std::promise<OrderLookup>> answer;  // look_up
};

struct Tracked {
  Order order;
  Quantity reported_qty;  // filled quantity already published
  Money reported_quote;   // its quote amount, for the average price of the next part
  std::string base_asset;
  std::string quote_asset;
  std::set<std::uint64_t> trade_ids;  // trades already published
  bool acknowledged = false;          // on_acknowledged sent
};

std::string_view binance_side(Side s) {
  return s == Side::buy ? "BUY" : "SELL";
}

std::string_view binance_tif(TimeInForce t) {
  switch (t) {
    case TimeInForce::ioc:
      return "IOC";
    case TimeInForce::fok:
      return "FOK";
    default:
      return "GTC";
  }
}

enum class Lookup { found, absent, unresolved };

}  // namespace

struct BinanceExchange::Impl {
  BinanceExchangeOptions opt;
  std::unique_ptr<RestClient> rest;
  std::shared_ptr<const ExchangeRules> rules;
  ExecutionReports* reports = nullptr;

  mutable std::mutex mu;
  std::condition_variable cv;
  mutable std::condition_variable idle_cv;
  std::deque<Command> queue;
  bool busy = false;
  bool stopping = false;
  std::map<std::string, Tracked> open;  // by client order id; guarded by mu
  std::thread worker;

  std::atomic<std::uint64_t> submitted{0}, unknown{0}, resubmits{0}, rate_limited{0}, rejected{0},
      fills{0};
  std::int64_t started_server_ms = 0;  // Binance's clock when connect() ran

  static void bump(std::atomic<std::uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

  Tracked track(const Order& o) const {
    Tracked t{o, {}, {}, {}, {}, {}, false};
    if (rules)
      if (const SymbolFilters* f = rules->find(o.symbol)) {
        t.base_asset = f->base_asset;
        t.quote_asset = f->quote_asset;
      }
    return t;
  }

  void reject(const Order& o, const std::string& why) {
    bump(rejected);
    spdlog::warn("Binance order {} {} rejected: {}", o.client_order_id.view(), o.symbol.view(),
                 why);
    if (reports) reports->on_rejected(o, why);
  }

  // GET /api/v3/myTrades for one order: the exact price, quantity and commission of each trade
  // (a query answer has totals only). Empty when it fails; the caller then reports totals.
  std::vector<detail::OrderTrade> my_trades(const Tracked& t, std::int64_t order_id) {
    try {
      RestResponse r =
          rest->send(HttpMethod::get, "/api/v3/myTrades",
                     fmt::format("symbol={}&orderId={}", t.order.symbol.view(), order_id), true);
      if (r.ok()) return detail::parse_my_trades(r.body);
      spdlog::warn("Binance myTrades {}: {}", t.order.client_order_id.view(), r.describe());
    } catch (const RestUnknownError& e) {
      spdlog::warn("Binance myTrades {}: {}", t.order.client_order_id.view(), e.what());
    } catch (const detail::BodyError& e) {
      spdlog::warn("Binance myTrades {}: {}", t.order.client_order_id.view(), e.what());
    }
    return {};
  }

  Fill fill_of(const Tracked& t, Price price, Quantity qty, Money fee, std::string_view asset,
               std::uint64_t trade_id, std::int64_t time_ms) const {
    Fill f;
    f.client_order_id = t.order.client_order_id;
    f.symbol = t.order.symbol;
    f.strategy_id = t.order.strategy_id;
    f.side = t.order.side;
    f.price = price;
    f.quantity = qty;
    f.fee = fee;
    f.fee_asset = FixedString<15>::truncated(asset);
    f.time_ns = time_ms * 1'000'000;
    f.trade_id = trade_id;
    return f;
  }

  // The fills `rep` adds to what was already reported for `t` (and marks them reported): its
  // trades from the FULL answer or from myTrades, else one fill for the new quantity at its
  // average price. The last is marked order_complete when the order is FILLED.
  std::vector<Fill> new_fills(Tracked& t, const detail::OrderReport& rep) {
    const Order& o = t.order;
    std::vector<Fill> out;
    if (rep.executed_qty > t.reported_qty) {
      std::vector<detail::OrderTrade> trades = rep.fills;
      if (trades.empty()) trades = my_trades(t, rep.order_id);
      for (const auto& tr : trades) {
        if (tr.trade_id != 0 && !t.trade_ids.insert(tr.trade_id).second) continue;  // reported
        Quantity qty = tr.quantity;
        Money fee = tr.commission;
        std::string fee_asset = tr.commission_asset;
        if (tr.commission_asset == t.base_asset && o.side == Side::buy) {
          // Binance keeps a base-asset commission out of what a buy delivers: the position
          // grows by qty - commission, and the fee is worth commission x price in quote.
          qty = tr.quantity - tr.commission;
          fee = Decimal::mul(tr.commission, tr.price);
          fee_asset = t.quote_asset;
        }
        t.reported_qty += tr.quantity;
        t.reported_quote += Decimal::mul(tr.quantity, tr.price);
        out.push_back(fill_of(t, tr.price, qty, fee, fee_asset, tr.trade_id, rep.time_ms));
      }
      if (rep.executed_qty > t.reported_qty) {
        const Quantity dq = rep.executed_qty - t.reported_qty;
        const Money dquote = rep.cumulative_quote_qty - t.reported_quote;
        spdlog::warn(
            "Binance order {}: no trade list; reporting {} at the average price, fee "
            "unknown",
            o.client_order_id.view(), dq.to_string());
        out.push_back(
            fill_of(t, Decimal::div(dquote, dq), dq, Money{}, t.quote_asset, 0, rep.time_ms));
        t.reported_qty = rep.executed_qty;
        t.reported_quote = rep.cumulative_quote_qty;
      }
    }
    if (rep.status == "FILLED" && !out.empty()) out.back().order_complete = true;
    return out;
  }

  static OrderStatus status_of(const std::string& s) {
    if (s == "FILLED") return OrderStatus::filled;
    if (s == "PARTIALLY_FILLED") return OrderStatus::partially_filled;
    if (s == "NEW" || s == "PENDING_NEW") return OrderStatus::acknowledged;
    if (s == "REJECTED") return OrderStatus::rejected;
    if (s == "CANCELED" || s == "PENDING_CANCEL") return OrderStatus::canceled;
    return OrderStatus::expired;  // EXPIRED, EXPIRED_IN_MATCH
  }

  // Publishes what `rep` adds to what was already reported for `t`. True when the order is
  // done.
  bool apply_report(Tracked& t, const detail::OrderReport& rep) {
    const Order& o = t.order;
    const bool filled = rep.status == "FILLED";
    const std::vector<Fill> out = new_fills(t, rep);
    for (const Fill& f : out) {
      bump(fills);
      if (reports) reports->on_fill(f);
    }
    if (filled) return true;
    if (rep.status == "NEW" || rep.status == "PARTIALLY_FILLED" || rep.status == "PENDING_NEW") {
      if (!t.acknowledged && reports) reports->on_acknowledged(o);
      t.acknowledged = true;
      return false;
    }
    // CANCELED, EXPIRED, EXPIRED_IN_MATCH, REJECTED: no more fills.
    Order closed = o;
    closed.filled_quantity = t.reported_qty;
    if (reports) {
      if (rep.status == "REJECTED") {
        bump(rejected);
        reports->on_rejected(closed, "REJECTED by Binance");
      } else {
        reports->on_canceled(closed, rep.status);
      }
    }
    return true;
  }

  void track_or_finish(Tracked t, const detail::OrderReport& rep) {
    const bool done = apply_report(t, rep);
    std::lock_guard lock(mu);
    if (done)
      open.erase(std::string(t.order.client_order_id.view()));
    else
      open[std::string(t.order.client_order_id.view())] = std::move(t);
  }

  std::string order_key(const Order& o) const {
    return fmt::format("symbol={}&origClientOrderId={}", o.symbol.view(),
                       url_encode(o.client_order_id.view()));
  }

  // Asks Binance about `o` until it answers for sure.
  Lookup query(Tracked& t, detail::OrderReport& rep) {
    for (int attempt = 1; attempt <= opt.max_attempts * 2; ++attempt) {
      try {
        RestResponse r = rest->send(HttpMethod::get, "/api/v3/order", order_key(t.order), true);
        if (r.ok()) {
          rep = detail::parse_order_report(r.body);
          return Lookup::found;
        }
        if (r.error_code == -2013) return Lookup::absent;  // "Order does not exist."
        if (r.status == 429 || r.status == 418) bump(rate_limited);
        if (r.error_code == -1021) rest->sync_clock();
        spdlog::warn("Binance query {}: {}", t.order.client_order_id.view(), r.describe());
      } catch (const RestUnknownError& e) {
        spdlog::warn("Binance query {}: {}", t.order.client_order_id.view(), e.what());
      } catch (const detail::BodyError& e) {
        spdlog::error("Binance query {}: {}", t.order.client_order_id.view(), e.what());
      }
      rest->sleep_for(std::chrono::milliseconds(100 << std::min(attempt, 5)));
    }
    return Lookup::unresolved;
  }

  void place(const Order& o) {
    Tracked t = track(o);
    std::string params =
        fmt::format("symbol={}&side={}&type={}&quantity={}&newClientOrderId={}", o.symbol.view(),
                    binance_side(o.side), o.type == OrderType::market ? "MARKET" : "LIMIT",
                    o.quantity.to_string(), url_encode(o.client_order_id.view()));
    if (o.type == OrderType::limit)
      params += fmt::format("&timeInForce={}&price={}", binance_tif(o.time_in_force),
                            o.limit_price.to_string());
    params += "&newOrderRespType=FULL";

    // Not one byte leaves for Binance before the order's record is durable.
    if (reports) {
      try {
        reports->wait_recorded();
      } catch (const std::exception& e) {
        return reject(o, fmt::format("not sent: {}", e.what()));
      }
    }

    for (int attempt = 1;; ++attempt) {
      const std::int64_t sent_at = rest->server_time_ms();
      std::string why;
      try {
        RestResponse r = rest->send(HttpMethod::post, "/api/v3/order", params, true);
        if (r.ok()) {
          track_or_finish(std::move(t), detail::parse_order_report(r.body));
          return;
        }
        if (r.status == 429 || r.status == 418) {
          // Refused before processing; the client now holds requests for Retry-After.
          bump(rate_limited);
          if (attempt >= opt.max_attempts) return reject(o, r.describe());
          continue;
        }
        if (r.error_code == -1021 && attempt < opt.max_attempts) {
          rest->sync_clock();  // refused for its timestamp: not processed
          continue;
        }
        if (r.status < 500 &&
            !(r.error_code == -2010 && r.error_msg.find("Duplicate") != std::string::npos))
          return reject(o, fmt::format("{} {}", r.error_code, r.error_msg));
        why = r.describe();  // 5xx, or a duplicate id: Binance may have it
      } catch (const RestUnknownError& e) {
        why = e.what();
      } catch (const detail::BodyError& e) {
        why = e.what();  // answered 2xx with a body we cannot read: ask for the order
      }
      bump(unknown);
      spdlog::warn("Binance order {}: outcome unknown ({}); querying it", o.client_order_id.view(),
                   why);
      // Binance refuses a request older than recvWindow, so after that the answer is final.
      const std::int64_t settle = sent_at + opt.recv_window.count() + 250;
      const std::int64_t now = rest->server_time_ms();
      if (now < settle) rest->sleep_for(std::chrono::milliseconds(settle - now));
      detail::OrderReport rep;
      switch (query(t, rep)) {
        case Lookup::found:
          track_or_finish(std::move(t), rep);
          return;
        case Lookup::absent:
          if (attempt >= opt.max_attempts)
            return reject(o, fmt::format("not placed after {} attempts: {}", attempt, why));
          bump(resubmits);
          continue;
        case Lookup::unresolved: {
          spdlog::critical(
              "Binance order {}: state unknown after repeated queries; tracking it "
              "as open and polling",
              o.client_order_id.view());
          std::lock_guard lock(mu);
          open[std::string(o.client_order_id.view())] = std::move(t);
          return;
        }
      }
    }
  }

  void cancel_order(const ClientOrderId& id) {
    Tracked t;
    {
      std::lock_guard lock(mu);
      auto it = open.find(std::string(id.view()));
      if (it == open.end()) {
        spdlog::warn("Binance cancel {}: not an open order", id.view());
        return;
      }
      t = it->second;
    }
    try {
      RestResponse r = rest->send(HttpMethod::del, "/api/v3/order", order_key(t.order), true);
      detail::OrderReport rep;
      if (r.ok()) {
        rep = detail::parse_order_report(r.body);
      } else if (query(t, rep) != Lookup::found) {
        spdlog::error("Binance cancel {}: {}", id.view(), r.describe());
        return;
      }
      track_or_finish(std::move(t), rep);
    } catch (const RestUnknownError& e) {
      spdlog::warn("Binance cancel {}: {}; the poll will see the outcome", id.view(), e.what());
    } catch (const detail::BodyError& e) {
      spdlog::error("Binance cancel {}: {}", id.view(), e.what());
    }
  }

  void poll_open() {
    std::vector<Tracked> snapshot;
    {
      std::lock_guard lock(mu);
      for (auto& [id, t] : open)
        snapshot.push_back(t);
    }
    for (auto& t : snapshot) {
      detail::OrderReport rep;
      try {
        RestResponse r = rest->send(HttpMethod::get, "/api/v3/order", order_key(t.order), true);
        if (!r.ok()) continue;
        rep = detail::parse_order_report(r.body);
      } catch (const RestUnknownError&) {
        continue;
      } catch (const detail::BodyError&) {
        continue;
      }
      track_or_finish(std::move(t), rep);
    }
  }

  // Recovery: a request the previous process sent just before it died may still reach
  // Binance until its timestamp + recvWindow has passed, so "absent" is only sure after that.
  void settle_since_start() {
    const std::int64_t settle = started_server_ms + opt.recv_window.count() + 250;
    const std::int64_t now = rest->server_time_ms();
    if (now < settle) rest->sleep_for(std::chrono::milliseconds(settle - now));
  }

  OrderLookup look_up(const Order& o) {
    OrderLookup out;
    settle_since_start();
    Tracked t = track(o);
    detail::OrderReport rep;
    switch (query(t, rep)) {
      case Lookup::absent:
        out.outcome = OrderLookup::Outcome::absent;
        return out;
      case Lookup::unresolved:
        out.detail = "GET /api/v3/order gave no answer";
        return out;
      case Lookup::found:
        break;
    }
    out.outcome = OrderLookup::Outcome::found;
    out.status = status_of(rep.status);
    out.fills = new_fills(t, rep);
    return out;
  }

  void run() {
    std::unique_lock lock(mu);
    while (true) {
      const bool woke =
          cv.wait_for(lock, opt.poll_interval, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) {
        if (stopping) break;
        if (!woke && !open.empty()) {
          busy = true;
          lock.unlock();
          try {
            poll_open();
          } catch (const RestCanceled&) {
          }
          lock.lock();
          busy = false;
        }
        continue;
      }
      Command cmd = std::move(queue.front());
      queue.pop_front();
      busy = true;
      lock.unlock();
      try {
        if (cmd.kind == Command::Kind::submit) {
          place(cmd.order);
        } else if (cmd.kind == Command::Kind::cancel) {
          cancel_order(cmd.id);
        } else {
          try {
            cmd.answer->set_value(look_up(cmd.order));
          } catch (const std::exception& e) {
            OrderLookup unknown;
            unknown.detail = e.what();
            cmd.answer->set_value(unknown);
          }
        }
      } catch (const RestCanceled&) {
        spdlog::error("Binance order {}: stopped before its outcome was known",
                      cmd.order.client_order_id.view());
      } catch (const std::exception& e) {
        spdlog::critical("Binance order {}: {}", cmd.order.client_order_id.view(), e.what());
      }
      lock.lock();
      busy = false;
      idle_cv.notify_all();
    }
    idle_cv.notify_all();
  }
};

BinanceExchange::BinanceExchange(BinanceExchangeOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.opt = std::move(options);
  if (m.opt.api_key.empty()) throw std::invalid_argument("Binance API key is empty");
  if (!m.opt.signer) throw std::invalid_argument("Binance API secret is missing");
  if (m.opt.max_attempts < 1) throw std::invalid_argument("max_attempts must be at least 1");
  RestClientOptions ro;
  ro.url = m.opt.rest_url;
  ro.timeout = m.opt.timeout;
  ro.ca_file = m.opt.ca_file;
  ro.recv_window = m.opt.recv_window;
  ro.api_key = m.opt.api_key;
  ro.weight_limit_1m = m.opt.weight_limit_1m;
  m.rest = std::make_unique<RestClient>(ro, m.opt.signer);
}

BinanceExchange::~BinanceExchange() {
  stop();
}

void BinanceExchange::connect(const std::vector<std::string>& symbols) {
  Impl& m = *impl_;
  try {
    const auto offset = m.rest->sync_clock();
    spdlog::info("Binance clock offset {} ms", offset.count());
  } catch (const RestUnknownError& e) {
    throw std::runtime_error(fmt::format("GET /api/v3/time: {}", e.what()));
  }
  std::string list;
  for (const auto& s : symbols)
    list += fmt::format("{}\"{}\"", list.empty() ? "" : ",", s);
  RestResponse r;
  try {
    r = m.rest->get("/api/v3/exchangeInfo", "symbols=" + url_encode("[" + list + "]"));
  } catch (const RestUnknownError& e) {
    throw std::runtime_error(fmt::format("GET /api/v3/exchangeInfo: {}", e.what()));
  }
  if (!r.ok()) throw std::runtime_error("GET /api/v3/exchangeInfo: " + r.describe());
  auto filters = parse_exchange_info(r.body);
  for (const auto& s : symbols) {
    bool found = false;
    for (const auto& f : filters)
      found = found || f.symbol.view() == s;
    if (!found) throw std::runtime_error(fmt::format("exchangeInfo does not list {}", s));
  }
  m.rules = std::make_shared<ExchangeRules>(std::move(filters));
  m.started_server_ms = m.rest->server_time_ms();
  if (!m.worker.joinable()) m.worker = std::thread([&m] { m.run(); });
}

std::shared_ptr<const ExchangeRules> BinanceExchange::rules() const {
  return impl_->rules;
}

std::vector<AssetBalance> BinanceExchange::balances() {
  RestResponse r;
  try {
    r = impl_->rest->send(HttpMethod::get, "/api/v3/account", "omitZeroBalances=true", true);
  } catch (const RestUnknownError& e) {
    throw std::runtime_error(fmt::format("GET /api/v3/account: {}", e.what()));
  }
  if (!r.ok()) throw std::runtime_error("GET /api/v3/account: " + r.describe());
  std::vector<AssetBalance> out;
  try {
    for (auto& b : detail::parse_account_balances(r.body))
      if (!b.free.is_zero() || !b.locked.is_zero())
        out.push_back({std::move(b.asset), b.free, b.locked});
  } catch (const detail::BodyError& e) {
    throw std::runtime_error(e.what());
  }
  return out;
}

void BinanceExchange::attach(ExecutionReports& reports) {
  impl_->reports = &reports;
}

void BinanceExchange::submit(const Order& order) {
  Impl& m = *impl_;
  Impl::bump(m.submitted);
  {
    std::lock_guard lock(m.mu);
    if (m.worker.joinable() && !m.stopping) {
      m.queue.push_back({Command::Kind::submit, order, order.client_order_id, nullptr});
      m.cv.notify_one();
      return;
    }
  }
  m.reject(order, "Binance exchange is not connected");
}

void BinanceExchange::cancel(const ClientOrderId& id) {
  Impl& m = *impl_;
  std::lock_guard lock(m.mu);
  if (!m.worker.joinable() || m.stopping) return;
  m.queue.push_back({Command::Kind::cancel, Order{}, id, nullptr});
  m.cv.notify_one();
}

OrderLookup BinanceExchange::look_up(const Order& order) {
  // The worker owns the REST connection (one request at a time on it): the look-up waits its
  // turn in the worker's queue.
  Impl& m = *impl_;
  auto answer = std::make_shared<std::promise<OrderLookup>>();
  auto result = answer->get_future();
  {
    std::lock_guard lock(m.mu);
    if (!m.worker.joinable() || m.stopping) {
      OrderLookup r;
      r.detail = "Binance exchange is not connected";
      return r;
    }
    m.queue.push_back({Command::Kind::look_up, order, order.client_order_id, answer});
    m.cv.notify_one();
  }
  return result.get();
}

void BinanceExchange::resume(const Order& order, const std::vector<Fill>& known) {
  Impl& m = *impl_;
  Tracked t = m.track(order);
  t.acknowledged = true;
  for (const Fill& f : known) {
    if (f.trade_id != 0) t.trade_ids.insert(f.trade_id);
    t.reported_qty += f.quantity;
    t.reported_quote += Decimal::mul(f.quantity, f.price);
  }
  std::lock_guard lock(m.mu);
  m.open[std::string(order.client_order_id.view())] = std::move(t);
}

std::vector<Order> BinanceExchange::open_orders() const {
  std::lock_guard lock(impl_->mu);
  std::vector<Order> out;
  for (const auto& [id, t] : impl_->open)
    out.push_back(t.order);
  return out;
}

bool BinanceExchange::wait_idle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->idle_cv.wait_for(lock, timeout,
                                 [&] { return impl_->queue.empty() && !impl_->busy; });
}

void BinanceExchange::stop() {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.mu);
    m.stopping = true;
  }
  m.cv.notify_all();
  if (m.worker.joinable()) m.worker.join();
}

std::vector<RestEndpointStats> BinanceExchange::rest_stats() const {
  return impl_->rest->endpoint_stats();
}

bool BinanceExchange::reachable() const {
  return impl_->rest->last_status() != 0;
}

std::int64_t BinanceExchange::used_weight_1m() const {
  return impl_->rest->used_weight_1m();
}

BinanceExchangeStats BinanceExchange::stats() const {
  const Impl& m = *impl_;
  BinanceExchangeStats s;
  s.submitted = m.submitted.load();
  s.requests = m.rest->requests_sent();
  s.unknown_outcomes = m.unknown.load();
  s.resubmits = m.resubmits.load();
  s.rate_limited = m.rate_limited.load();
  s.rejected = m.rejected.load();
  s.fills = m.fills.load();
  s.clock_offset = m.rest->clock_offset();
  return s;
}

}  // namespace tradebus::binance
