// The fake's Beast server: plain TCP on loopback, one io_context thread, coroutines.
#include "fake_binance.hpp"

#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "tradebus/adapters/binance/request_signer.hpp"

namespace tradebus::fakes {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using SteadyClock = std::chrono::steady_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_params(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view kv = text.substr(0, amp);
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos)
      out[url_decode(kv.substr(0, eq))] = url_decode(kv.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return out;
}

std::string d8(Decimal d) {
  return d.to_string_fixed(8);
}

struct WsSession {
  explicit WsSession(beast::tcp_stream&& s) : ws(std::move(s)), wake(ws.get_executor()) {}
  websocket::stream<beast::tcp_stream> ws;
  std::set<std::string> streams;
  std::deque<std::string> out;
  asio::steady_timer wake;
  bool open = true;
};

struct OrderState {
  FakeOrder view;
  std::string time_in_force;
  Decimal price, qty, executed, quote;
  std::int64_t time = 0;
  std::vector<std::string> my_trades;  // GET /api/v3/myTrades entries
  bool is_open() const { return view.status == "NEW" || view.status == "PARTIALLY_FILLED"; }
};

struct Fault {
  OrderFault kind;
  std::chrono::milliseconds delay;
  int retry_after_s;
};

struct HttpAnswer {
  HttpAnswer(int s = 200, std::string b = {}) : status(s), body(std::move(b)) {}
  int status = 200;
  std::string body;
  std::optional<int> retry_after;
  bool drop = false;                   // close without answering
  std::chrono::milliseconds delay{0};  // answer this late
};

HttpAnswer error_answer(int status, int code, std::string_view msg) {
  return {status, fmt::format(R"({{"code":{},"msg":"{}"}})", code, msg)};
}

}  // namespace

struct FakeBinance::Impl : std::enable_shared_from_this<FakeBinance::Impl> {
  FakeBinanceOptions opt;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::uint16_t port = 0;
  std::atomic<bool> running{false};
  std::unique_ptr<binance::RequestSigner> signer;

  struct Market {
    FakeSymbol def;
    std::size_t next = 0;  // the candle in progress
  };
  std::vector<Market> markets;
  int step = 0;
  bool started = false, paused = false;
  std::set<std::shared_ptr<WsSession>> sessions;
  std::size_t skip_next = 0;
  SteadyClock::time_point refuse_until{};
  std::deque<Fault> faults;
  std::chrono::milliseconds response_delay{0};
  std::map<std::string, OrderState> orders;  // by client order id (the latest)
  std::vector<std::string> order_sequence;
  std::int64_t next_order_id = 1000, next_trade_id = 5000;
  std::map<std::string, Decimal> balances;
  std::int64_t weight_minute = 0, used_weight = 0;
  std::uint64_t order_posts = 0, stream_conns = 0, pings = 0, pongs = 0, bad_sigs = 0,
                klines_calls = 0;
  std::vector<std::string> log;

  template <class F>
  auto call(F f) -> decltype(f()) {
    if (!running) return f();
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    asio::post(io, [&task] { task(); });
    return fut.get();
  }

  Market* market(const std::string& symbol) {
    for (auto& m : markets)
      if (m.def.symbol == symbol) return &m;
    return nullptr;
  }

  std::string kline_json(const Market& m, const Candle& c, bool closed) const {
    const std::string stream = lower(m.def.symbol) + "@kline_" + m.def.interval;
    return fmt::format(
        R"({{"stream":"{}","data":{{"e":"kline","E":{},"s":"{}","k":{{"t":{},"T":{},"s":"{}","i":"{}","f":100,"L":200,"o":"{}","c":"{}","h":"{}","l":"{}","v":"{}","n":{},"x":{},"q":"{}","V":"{}","Q":"{}","B":"0"}}}}}})",
        stream, now_ms(), m.def.symbol, c.open_time_ns / 1'000'000, c.close_time_ns / 1'000'000,
        m.def.symbol, m.def.interval, d8(c.open), d8(c.close), d8(c.high), d8(c.low), d8(c.volume),
        c.trade_count, closed ? "true" : "false", d8(c.quote_volume), d8(c.taker_buy_base_volume),
        d8(c.taker_buy_quote_volume));
  }

  void broadcast(const std::string& stream, const std::string& text) {
    for (const auto& s : sessions)
      if (s->open && (stream.empty() || s->streams.count(stream))) {
        s->out.push_back(text);
        s->wake.cancel();
      }
  }

  void tick() {
    for (auto& m : markets) {
      if (m.next >= m.def.candles.size()) continue;
      const Candle& c = m.def.candles[m.next];
      const std::string stream = lower(m.def.symbol) + "@kline_" + m.def.interval;
      if (step < opt.updates_per_candle) {
        broadcast(stream, kline_json(m, c, false));
      } else {
        broadcast(stream, kline_json(m, c, true));
        fill_limit_orders(m, c);
        ++m.next;
      }
    }
    step = (step + 1) % (opt.updates_per_candle + 1);
  }

  awaitable<void> market_loop() {
    asio::steady_timer t(io);
    const auto period = opt.candle_period / (opt.updates_per_candle + 1);
    while (running) {
      t.expires_after(period);
      boost::system::error_code ec;
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!running) break;
      if (started && !paused) tick();
    }
  }

  // --- WebSocket streams ---

  awaitable<void> ws_writer(std::shared_ptr<WsSession> s) {
    auto next_ping = SteadyClock::now() + opt.ping_interval;
    boost::system::error_code ec;
    while (s->open) {
      if (s->out.empty()) {
        s->wake.expires_at(
            opt.ping_interval.count() > 0 ? next_ping : SteadyClock::now() + std::chrono::hours(1));
        co_await s->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      if (!s->open) break;
      if (opt.ping_interval.count() > 0 && SteadyClock::now() >= next_ping) {
        co_await s->ws.async_ping({}, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        ++pings;
        next_ping = SteadyClock::now() + opt.ping_interval;
      }
      while (s->open && !s->out.empty()) {
        std::string m = std::move(s->out.front());
        s->out.pop_front();
        co_await s->ws.async_write(asio::buffer(m), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          s->open = false;
          break;
        }
      }
    }
  }

  awaitable<void> ws_session(beast::tcp_stream stream, Request req) {
    std::string target(req.target());
    const auto q = target.find('?');
    const std::string path = target.substr(0, q);
    const auto params = parse_params(q == std::string::npos ? "" : target.substr(q + 1));
    boost::system::error_code ec;
    if (SteadyClock::now() < refuse_until || path != "/stream" || !params.count("streams")) {
      Response res{SteadyClock::now() < refuse_until ? http::status::service_unavailable
                                                     : http::status::bad_request,
                   req.version()};
      res.body() = "stream refused";
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
    auto s = std::make_shared<WsSession>(std::move(stream));
    std::string_view list = params.at("streams");
    while (!list.empty()) {
      const auto slash = list.find('/');
      s->streams.insert(std::string(list.substr(0, slash)));
      if (slash == std::string_view::npos) break;
      list.remove_prefix(slash + 1);
    }
    s->ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) ++pongs;
    });
    co_await s->ws.async_accept(req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    ++stream_conns;
    if (skip_next > 0) {
      for (auto& m : markets)
        m.next = std::min(m.def.candles.size(), m.next + skip_next);
      skip_next = 0;
      step = 0;
    }
    started = true;
    sessions.insert(s);
    asio::co_spawn(io, ws_writer(s), asio::detached);
    beast::flat_buffer buffer;
    while (s->open) {
      co_await s->ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      buffer.clear();
    }
    s->open = false;
    s->wake.cancel();
    sessions.erase(s);
  }

  // --- REST ---

  std::int64_t server_ms() const { return now_ms() + opt.clock_skew_ms; }

  void count_weight(std::int64_t w) {
    const std::int64_t minute = server_ms() / 60'000;
    if (minute != weight_minute) weight_minute = minute, used_weight = 0;
    used_weight += w;
  }

  std::optional<HttpAnswer> check_signed(const Request& req, std::string_view query,
                                         const std::string& body,
                                         std::map<std::string, std::string>& params) {
    auto key = req.find("X-MBX-APIKEY");
    if (key == req.end() || key->value() != opt.api_key)
      return error_answer(401, -2015, "Invalid API-key, IP, or permissions for action.");
    std::string total = std::string(query) + body;
    const auto at = total.rfind("signature=");
    if (at == std::string::npos)
      return error_answer(
          400, -1102,
          "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
    std::string signed_part = total.substr(0, at);
    if (!signed_part.empty() && signed_part.back() == '&') signed_part.pop_back();
    if (signer->sign(signed_part) != total.substr(at + 10)) {
      ++bad_sigs;
      return error_answer(400, -1022, "Signature for this request is not valid.");
    }
    if (!params.count("timestamp"))
      return error_answer(
          400, -1102,
          "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    return check_time(params);
  }

  std::optional<HttpAnswer> check_time(std::map<std::string, std::string>& params) const {
    const std::int64_t ts = std::stoll(params["timestamp"]);
    const std::int64_t window =
        params.count("recvWindow") ? std::stoll(params["recvWindow"]) : 5000;
    const std::int64_t now = server_ms();
    if (ts > now + 1000)
      return error_answer(400, -1021,
                          "Timestamp for this request was 1000ms ahead of the server's time.");
    if (now - ts > window)
      return error_answer(400, -1021, "Timestamp for this request is outside of the recvWindow.");
    return std::nullopt;
  }

  Decimal current_price(const Market& m) const {
    if (m.next < m.def.candles.size()) return m.def.candles[m.next].open;
    return m.def.candles.empty() ? Decimal::from_int(1) : m.def.candles.back().close;
  }

  std::string order_json(const OrderState& o, bool with_fills, const std::string& fills) const {
    std::string s = fmt::format(
        R"({{"symbol":"{}","orderId":{},"orderListId":-1,"clientOrderId":"{}","{}":{},"price":"{}","origQty":"{}","executedQty":"{}","cummulativeQuoteQty":"{}","status":"{}","timeInForce":"{}","type":"{}","side":"{}")",
        o.view.symbol, o.view.order_id, o.view.client_order_id,
        with_fills ? "transactTime" : "updateTime", o.time, d8(o.price), d8(o.qty), d8(o.executed),
        d8(o.quote), o.view.status, o.time_in_force, o.view.type, o.view.side);
    if (with_fills) s += R"(,"fills":[)" + fills + "]";
    return s + "}";
  }

  void fill(OrderState& o, Market& m, Decimal price, std::string* fills_json) {
    const Decimal notional = Decimal::mul(price, o.qty);
    const Decimal fee = Decimal::mul_ratio(notional, opt.fee_bps, 10'000);
    if (o.view.side == "BUY") {
      balances[m.def.quote_asset] -= notional + fee;
      balances[m.def.base_asset] += o.qty;
    } else {
      balances[m.def.base_asset] -= o.qty;
      balances[m.def.quote_asset] += notional - fee;
    }
    o.executed = o.qty;
    o.quote = notional;
    o.view.executed_qty = o.qty.to_string();
    o.view.status = "FILLED";
    o.time = server_ms();
    const std::int64_t trade_id = next_trade_id++;
    if (fills_json)
      *fills_json = fmt::format(
          R"({{"price":"{}","qty":"{}","commission":"{}","commissionAsset":"{}","tradeId":{}}})",
          d8(price), d8(o.qty), d8(fee), m.def.quote_asset, trade_id);
    o.my_trades.push_back(fmt::format(
        R"({{"symbol":"{}","id":{},"orderId":{},"orderListId":-1,"price":"{}","qty":"{}","quoteQty":"{}","commission":"{}","commissionAsset":"{}","time":{},"isBuyer":{},"isMaker":false,"isBestMatch":true}})",
        m.def.symbol, trade_id, o.view.order_id, d8(price), d8(o.qty), d8(notional), d8(fee),
        m.def.quote_asset, o.time, o.view.side == "BUY" ? "true" : "false"));
  }

  void fill_limit_orders(Market& m, const Candle& c) {
    for (auto& [id, o] : orders) {
      if (!o.is_open() || o.view.symbol != m.def.symbol || o.view.type != "LIMIT") continue;
      if ((o.view.side == "BUY" && c.low <= o.price) ||
          (o.view.side == "SELL" && c.high >= o.price))
        fill(o, m, o.price, nullptr);
    }
  }

  HttpAnswer place_order(std::map<std::string, std::string>& p) {
    Market* m = market(p["symbol"]);
    if (!m) return error_answer(400, -1121, "Invalid symbol.");
    const std::string side = p["side"], type = p["type"];
    if (side != "BUY" && side != "SELL")
      return error_answer(400, -1102,
                          "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    if (type != "MARKET" && type != "LIMIT") return error_answer(400, -1116, "Invalid orderType.");
    const auto qty = Decimal::parse(p["quantity"]);
    if (!qty || !qty->is_positive())
      return error_answer(400, -1100, "Illegal characters found in parameter 'quantity'.");
    const Decimal step = Decimal::from_string(m->def.step_size);
    if (qty->floor_to(step) != *qty || *qty < Decimal::from_string(m->def.min_qty))
      return error_answer(400, -1013, "Filter failure: LOT_SIZE");
    Decimal price = current_price(*m);
    if (type == "LIMIT") {
      const auto lp = Decimal::parse(p["price"]);
      if (!lp || !lp->is_positive() || lp->floor_to(Decimal::from_string(m->def.tick_size)) != *lp)
        return error_answer(400, -1013, "Filter failure: PRICE_FILTER");
      price = *lp;
    }
    if (Decimal::mul(price, *qty) < Decimal::from_string(m->def.min_notional))
      return error_answer(400, -1013, "Filter failure: NOTIONAL");
    std::string id =
        p.count("newClientOrderId") ? p["newClientOrderId"] : fmt::format("fake{}", next_order_id);
    if (auto it = orders.find(id); it != orders.end() && it->second.is_open())
      return error_answer(400, -2010, "Duplicate order sent.");
    const Decimal notional = Decimal::mul(price, *qty);
    if (side == "BUY" &&
        balances[m->def.quote_asset] < notional + Decimal::mul_ratio(notional, opt.fee_bps, 10'000))
      return error_answer(400, -2010, "Account has insufficient balance for requested action.");
    if (side == "SELL" && balances[m->def.base_asset] < *qty)
      return error_answer(400, -2010, "Account has insufficient balance for requested action.");
    OrderState o;
    o.view = {id, m->def.symbol, side, type, "NEW", qty->to_string(), "0", next_order_id++};
    o.time_in_force = type == "LIMIT" ? (p.count("timeInForce") ? p["timeInForce"] : "GTC") : "GTC";
    o.qty = *qty;
    o.price = type == "LIMIT" ? price : Decimal{};
    o.time = server_ms();
    std::string fills;
    if (type == "MARKET") fill(o, *m, price, &fills);
    orders[id] = o;
    order_sequence.push_back(id);
    return {200, order_json(o, true, fills)};
  }

  awaitable<HttpAnswer> route(const Request& req) {
    std::string target(req.target());
    const auto q = target.find('?');
    const std::string path = target.substr(0, q);
    const std::string query = q == std::string::npos ? "" : target.substr(q + 1);
    const std::string body = req.method() == http::verb::post ? req.body() : "";
    auto params = parse_params(query);
    for (auto& [k, v] : parse_params(body))
      params[k] = v;
    asio::steady_timer timer(io);
    boost::system::error_code ec;

    if (path == "/api/v3/time") {
      count_weight(1);
      co_return HttpAnswer{200, fmt::format(R"({{"serverTime":{}}})", server_ms())};
    }
    if (path == "/api/v3/ping") {
      count_weight(1);
      co_return HttpAnswer{200, "{}"};
    }
    if (path == "/api/v3/exchangeInfo") {
      count_weight(20);
      std::string syms;
      for (const auto& m : markets)
        syms += fmt::format(
            R"({}{{"symbol":"{}","status":"TRADING","baseAsset":"{}","baseAssetPrecision":8,"quoteAsset":"{}","quotePrecision":8,"orderTypes":["LIMIT","MARKET"],"filters":[{{"filterType":"PRICE_FILTER","minPrice":"{}","maxPrice":"1000000.00000000","tickSize":"{}"}},{{"filterType":"LOT_SIZE","minQty":"{}","maxQty":"9000.00000000","stepSize":"{}"}},{{"filterType":"NOTIONAL","minNotional":"{}","applyMinToMarket":true,"maxNotional":"9000000.00000000","applyMaxToMarket":false,"avgPriceMins":5}}]}})",
            syms.empty() ? "" : ",", m.def.symbol, m.def.base_asset, m.def.quote_asset,
            m.def.tick_size, m.def.tick_size, m.def.min_qty, m.def.step_size, m.def.min_notional);
      co_return HttpAnswer{
          200,
          fmt::format(
              R"({{"timezone":"UTC","serverTime":{},"rateLimits":[{{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000}}],"exchangeFilters":[],"symbols":[{}]}})",
              server_ms(), syms)};
    }
    if (path == "/api/v3/klines") {
      count_weight(2);
      ++klines_calls;
      Market* m = market(params["symbol"]);
      if (!m) co_return error_answer(400, -1121, "Invalid symbol.");
      if (params["interval"] != m->def.interval)
        co_return error_answer(400, -1120, "Invalid interval.");
      const std::int64_t start = params.count("startTime") ? std::stoll(params["startTime"]) : 0;
      const std::int64_t end = params.count("endTime") ? std::stoll(params["endTime"]) : INT64_MAX;
      const std::int64_t limit =
          std::min<std::int64_t>(1000, params.count("limit") ? std::stoll(params["limit"]) : 500);
      std::string rows;
      std::int64_t n = 0;
      // Every candle streamed so far, and the one in progress (as Binance does).
      for (std::size_t i = 0; i <= m->next && i < m->def.candles.size() && n < limit; ++i) {
        const Candle& c = m->def.candles[i];
        const std::int64_t open = c.open_time_ns / 1'000'000;
        if (open < start || open > end) continue;
        rows +=
            fmt::format(R"({}[{},"{}","{}","{}","{}","{}",{},"{}",{},"{}","{}","0"])", n ? "," : "",
                        open, d8(c.open), d8(c.high), d8(c.low), d8(c.close), d8(c.volume),
                        c.close_time_ns / 1'000'000, d8(c.quote_volume), c.trade_count,
                        d8(c.taker_buy_base_volume), d8(c.taker_buy_quote_volume));
        ++n;
      }
      co_return HttpAnswer{200, "[" + rows + "]"};
    }
    if (path == "/api/v3/myTrades") {
      count_weight(20);
      if (auto bad = check_signed(req, query, body, params)) co_return *bad;
      std::string list;
      for (const auto& [id, o] : orders)
        if (o.view.symbol == params["symbol"] &&
            std::to_string(o.view.order_id) == params["orderId"])
          for (const auto& t : o.my_trades)
            list += (list.empty() ? "" : ",") + t;
      co_return HttpAnswer{200, "[" + list + "]"};
    }
    const bool order_path = path == "/api/v3/order";
    if (order_path || path == "/api/v3/account") {
      count_weight(order_path ? 1 : 20);
      if (order_path && req.method() == http::verb::post) {
        ++order_posts;
        if (!faults.empty()) {
          const Fault f = faults.front();
          faults.pop_front();
          switch (f.kind) {
            case OrderFault::rate_limit_429: {
              HttpAnswer a = error_answer(429, -1003,
                                          "Too much request weight used; current limit is 6000 "
                                          "request weight per 1 MINUTE. Please use WebSocket "
                                          "Streams for live updates to avoid polling the API.");
              a.retry_after = f.retry_after_s;
              co_return a;
            }
            case OrderFault::error_503_before_accept:
              co_return error_answer(
                  503, -1001, "Internal error; unable to process your request. Please try again.");
            case OrderFault::delay_before_processing:
              timer.expires_after(f.delay);
              co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
              break;
            default:
              break;
          }
          if (auto bad = check_signed(req, query, body, params)) co_return *bad;
          HttpAnswer a = place_order(params);
          if (f.kind == OrderFault::error_500_after_accept)
            co_return error_answer(500, -1000,
                                   "An unknown error occurred while processing the request.");
          if (f.kind == OrderFault::drop_after_accept) a.drop = true;
          if (f.kind == OrderFault::timeout_after_accept) a.delay = f.delay;
          co_return a;
        }
      }
      if (auto bad = check_signed(req, query, body, params)) co_return *bad;
      if (path == "/api/v3/account") {
        std::string b;
        for (const auto& [asset, amount] : balances)
          b += fmt::format(R"({}{{"asset":"{}","free":"{}","locked":"0.00000000"}})",
                           b.empty() ? "" : ",", asset, d8(amount));
        co_return HttpAnswer{
            200,
            R"({"makerCommission":10,"takerCommission":10,"canTrade":true,"accountType":"SPOT","balances":[)" +
                b + "]}"};
      }
      if (req.method() == http::verb::post) co_return place_order(params);
      auto it = orders.find(params["origClientOrderId"]);
      if (req.method() == http::verb::get) {
        if (it == orders.end() || it->second.view.symbol != params["symbol"])
          co_return error_answer(400, -2013, "Order does not exist.");
        co_return HttpAnswer{200, order_json(it->second, false, "")};
      }
      if (req.method() == http::verb::delete_) {
        if (it == orders.end() || !it->second.is_open())
          co_return error_answer(400, -2011, "Unknown order sent.");
        it->second.view.status = "CANCELED";
        co_return HttpAnswer{200, order_json(it->second, false, "")};
      }
    }
    co_return error_answer(404, -1000, "Unknown endpoint.");
  }

  awaitable<void> http_session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (;;) {
      Request req;
      co_await http::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      {
        std::string entry =
            fmt::format("{} {}", std::string(req.method_string()), std::string(req.target()));
        for (const auto& h : req)
          entry += fmt::format("\n{}: {}", std::string(h.name_string()), std::string(h.value()));
        if (!req.body().empty()) entry += "\n\n" + req.body();
        log.push_back(std::move(entry));
      }
      if (websocket::is_upgrade(req)) {
        co_await ws_session(std::move(stream), std::move(req));
        co_return;
      }
      HttpAnswer a = co_await route(req);
      asio::steady_timer timer(io);
      const auto delay = a.delay + response_delay;
      if (delay.count() > 0) {
        timer.expires_after(delay);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      if (a.drop) break;
      Response res{static_cast<http::status>(a.status), req.version()};
      res.set(http::field::content_type, "application/json;charset=UTF-8");
      res.set("X-MBX-USED-WEIGHT-1M", std::to_string(used_weight));
      if (a.retry_after) res.set(http::field::retry_after, std::to_string(*a.retry_after));
      res.keep_alive(req.keep_alive());
      res.body() = std::move(a.body);
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !req.keep_alive()) break;
    }
    stream.socket().close(ec);
  }

  awaitable<void> accept_loop() {
    while (running) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      asio::co_spawn(io, http_session(std::move(socket)), asio::detached);
    }
  }
};

FakeBinance::FakeBinance(FakeBinanceOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->opt = std::move(options);
  impl_->signer = std::make_unique<binance::RequestSigner>(impl_->opt.api_secret);
}

FakeBinance::~FakeBinance() {
  stop();
}

void FakeBinance::add_symbol(FakeSymbol symbol) {
  Impl& m = *impl_;
  if (m.balances.count(symbol.quote_asset) == 0)
    m.balances[symbol.quote_asset] = Decimal::from_string(m.opt.quote_balance);
  m.balances.emplace(symbol.base_asset, Decimal{});
  const std::size_t history = std::min(symbol.history, symbol.candles.size());
  m.markets.push_back({std::move(symbol), history});
}

void FakeBinance::start() {
  Impl& m = *impl_;
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  m.acceptor.open(ep.protocol());
  m.acceptor.set_option(asio::socket_base::reuse_address(true));
  m.acceptor.bind(ep);
  m.acceptor.listen();
  m.port = m.acceptor.local_endpoint().port();
  m.running = true;
  asio::co_spawn(m.io, m.accept_loop(), asio::detached);
  asio::co_spawn(m.io, m.market_loop(), asio::detached);
  m.thread = std::thread([&m] { m.io.run(); });
}

void FakeBinance::stop() {
  Impl& m = *impl_;
  if (!m.thread.joinable()) return;
  asio::post(m.io, [&m] {
    m.running = false;
    boost::system::error_code ec;
    m.acceptor.close(ec);
    for (const auto& s : m.sessions) {
      s->open = false;
      beast::get_lowest_layer(s->ws).socket().close(ec);
      s->wake.cancel();
    }
    m.io.stop();
  });
  m.thread.join();
}

std::string FakeBinance::ws_url() const {
  return fmt::format("ws://127.0.0.1:{}", impl_->port);
}

std::string FakeBinance::rest_url() const {
  return fmt::format("http://127.0.0.1:{}", impl_->port);
}

void FakeBinance::drop_connections() {
  impl_->call([this] {
    boost::system::error_code ec;
    for (const auto& s : impl_->sessions) {
      s->open = false;
      beast::get_lowest_layer(s->ws).socket().close(ec);  // no close frame
      s->wake.cancel();
    }
  });
}

void FakeBinance::skip_candles_on_next_connect(std::size_t n) {
  impl_->call([this, n] { impl_->skip_next = n; });
}

void FakeBinance::refuse_streams_for(std::chrono::milliseconds d) {
  impl_->call([this, d] { impl_->refuse_until = SteadyClock::now() + d; });
}

void FakeBinance::send_raw(std::string text) {
  impl_->call([this, &text] { impl_->broadcast("", text); });
}

void FakeBinance::push_order_fault(OrderFault fault, std::chrono::milliseconds delay,
                                   int retry_after_s) {
  impl_->call([&] { impl_->faults.push_back({fault, delay, retry_after_s}); });
}

void FakeBinance::set_response_delay(std::chrono::milliseconds d) {
  impl_->call([&] { impl_->response_delay = d; });
}

void FakeBinance::add_used_weight(std::int64_t weight) {
  impl_->call([&] { impl_->count_weight(weight); });
}

void FakeBinance::pause_market(bool paused) {
  impl_->call([&] { impl_->paused = paused; });
}

std::size_t FakeBinance::candles_closed(const std::string& symbol) const {
  return impl_->call([&] {
    const auto* m = impl_->market(symbol);
    return m ? m->next : std::size_t{0};
  });
}

bool FakeBinance::market_finished() const {
  return impl_->call([&] {
    for (const auto& m : impl_->markets)
      if (m.next < m.def.candles.size()) return false;
    return true;
  });
}

std::vector<FakeOrder> FakeBinance::orders() const {
  return impl_->call([&] {
    std::vector<FakeOrder> out;
    for (const auto& id : impl_->order_sequence)
      out.push_back(impl_->orders.at(id).view);
    return out;
  });
}

std::uint64_t FakeBinance::order_requests() const {
  return impl_->call([&] { return impl_->order_posts; });
}
std::uint64_t FakeBinance::stream_connections() const {
  return impl_->call([&] { return impl_->stream_conns; });
}
std::uint64_t FakeBinance::pings_sent() const {
  return impl_->call([&] { return impl_->pings; });
}
std::uint64_t FakeBinance::pongs_received() const {
  return impl_->call([&] { return impl_->pongs; });
}
std::uint64_t FakeBinance::bad_signatures() const {
  return impl_->call([&] { return impl_->bad_sigs; });
}
std::uint64_t FakeBinance::klines_requests() const {
  return impl_->call([&] { return impl_->klines_calls; });
}
std::vector<std::string> FakeBinance::request_log() const {
  return impl_->call([&] { return impl_->log; });
}

}  // namespace tradebus::fakes
