#include "tradebus/persistence/event_codec.hpp"

#include <bit>
#include <cstring>

#include <fmt/format.h>

namespace tradebus {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the journal codec assumes little-endian");

// Writes into space reserved up front (one resize per event instead of an append per field).
class Writer {
 public:
  explicit Writer(char* p) : p_(p) {}
  template <class T>
  void num(T v) {
    std::memcpy(p_, &v, sizeof(T));
    p_ += sizeof(T);
  }
  void dec(Decimal d) { num(d.raw()); }
  template <std::size_t N>
  void fixed(const FixedString<N>& s) {
    num(static_cast<std::uint8_t>(s.size()));
    std::memcpy(p_, s.view().data(), s.size());
    p_ += s.size();
  }
  void text(const std::string& s) {
    num(static_cast<std::uint32_t>(s.size()));
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  char* position() const { return p_; }

 private:
  char* p_;
};

// An upper bound of the encoded size: fixed strings counted at capacity.
std::size_t max_size(const Event& e) {
  // Header (35 bytes at most) + the largest fixed payload (an order, 218 bytes at most).
  constexpr std::size_t kFixed = 35 + 218;
  if (const auto* err = e.get_if<ErrorInfo>())
    return kFixed + err->error_type.size() + err->message.size() + err->context.size();
  return kFixed;
}

class Reader {
 public:
  explicit Reader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}
  template <class T>
  bool num(T& v) {
    if (static_cast<std::size_t>(end_ - p_) < sizeof(T)) return fail("record ends early");
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return true;
  }
  bool dec(Decimal& d) {
    std::int64_t raw = 0;
    if (!num(raw)) return false;
    d = Decimal::from_raw(raw);
    return true;
  }
  template <std::size_t N>
  bool fixed(FixedString<N>& s) {
    std::uint8_t n = 0;
    if (!num(n)) return false;
    if (n > N) return fail(fmt::format("string of {} bytes where at most {} fit", n, N));
    if (static_cast<std::size_t>(end_ - p_) < n) return fail("record ends inside a string");
    s = FixedString<N>(std::string_view(p_, n));
    p_ += n;
    return true;
  }
  bool text(std::string& s) {
    std::uint32_t n = 0;
    if (!num(n)) return false;
    if (static_cast<std::size_t>(end_ - p_) < n) return fail("record ends inside a string");
    s.assign(p_, n);
    p_ += n;
    return true;
  }
  template <class E>
  bool enumeration(E& e, unsigned count) {
    std::uint8_t v = 0;
    if (!num(v)) return false;
    if (v >= count) return fail(fmt::format("enum value {} out of range", v));
    e = static_cast<E>(v);
    return true;
  }
  bool flag(bool& b) {
    std::uint8_t v = 0;
    if (!num(v)) return false;
    if (v > 1) return fail("boolean is not 0 or 1");
    b = v == 1;
    return true;
  }
  bool at_end() const { return p_ == end_; }
  bool fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    p_ = end_;
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  const char* p_;
  const char* end_;
  std::string error_;
};

void put(Writer& w, const Candle& c) {
  w.fixed(c.symbol);
  w.fixed(c.interval);
  w.num(c.open_time_ns);
  w.num(c.close_time_ns);
  for (Decimal d : {c.open, c.high, c.low, c.close, c.volume, c.quote_volume})
    w.dec(d);
  w.num(c.trade_count);
  w.dec(c.taker_buy_base_volume);
  w.dec(c.taker_buy_quote_volume);
}

bool get(Reader& r, Candle& c) {
  return r.fixed(c.symbol) && r.fixed(c.interval) && r.num(c.open_time_ns) &&
         r.num(c.close_time_ns) && r.dec(c.open) && r.dec(c.high) && r.dec(c.low) &&
         r.dec(c.close) && r.dec(c.volume) && r.dec(c.quote_volume) && r.num(c.trade_count) &&
         r.dec(c.taker_buy_base_volume) && r.dec(c.taker_buy_quote_volume);
}

void put(Writer& w, const Signal& s) {
  w.fixed(s.strategy_id);
  w.fixed(s.symbol);
  w.num(static_cast<std::uint8_t>(s.direction));
  w.dec(s.reference_price);
  w.num(std::bit_cast<std::uint64_t>(s.strength));
  w.num(s.time_ns);
  w.fixed(s.reason);
}

bool get(Reader& r, Signal& s) {
  std::uint64_t bits = 0;
  if (!(r.fixed(s.strategy_id) && r.fixed(s.symbol) && r.enumeration(s.direction, 2) &&
        r.dec(s.reference_price) && r.num(bits) && r.num(s.time_ns) && r.fixed(s.reason)))
    return false;
  s.strength = std::bit_cast<double>(bits);
  return true;
}

void put(Writer& w, const Order& o) {
  w.fixed(o.client_order_id);
  w.fixed(o.symbol);
  w.fixed(o.strategy_id);
  w.num(static_cast<std::uint8_t>(o.side));
  w.num(static_cast<std::uint8_t>(o.type));
  w.num(static_cast<std::uint8_t>(o.time_in_force));
  w.num(static_cast<std::uint8_t>(o.status));
  for (Decimal d : {o.quantity, o.limit_price, o.reference_price, o.filled_quantity})
    w.dec(d);
  w.num(o.created_ns);
  w.num(o.signal_sequence);
  w.fixed(o.reason);
}

bool get(Reader& r, Order& o) {
  return r.fixed(o.client_order_id) && r.fixed(o.symbol) && r.fixed(o.strategy_id) &&
         r.enumeration(o.side, 2) && r.enumeration(o.type, 2) &&
         r.enumeration(o.time_in_force, 3) && r.enumeration(o.status, 8) && r.dec(o.quantity) &&
         r.dec(o.limit_price) && r.dec(o.reference_price) && r.dec(o.filled_quantity) &&
         r.num(o.created_ns) && r.num(o.signal_sequence) && r.fixed(o.reason);
}

void put(Writer& w, const Fill& f) {
  w.fixed(f.client_order_id);
  w.fixed(f.symbol);
  w.fixed(f.strategy_id);
  w.num(static_cast<std::uint8_t>(f.side));
  w.dec(f.price);
  w.dec(f.quantity);
  w.dec(f.fee);
  w.fixed(f.fee_asset);
  w.num(f.time_ns);
  w.num(f.trade_id);
  w.num(static_cast<std::uint8_t>(f.order_complete));
}

bool get(Reader& r, Fill& f) {
  return r.fixed(f.client_order_id) && r.fixed(f.symbol) && r.fixed(f.strategy_id) &&
         r.enumeration(f.side, 2) && r.dec(f.price) && r.dec(f.quantity) && r.dec(f.fee) &&
         r.fixed(f.fee_asset) && r.num(f.time_ns) && r.num(f.trade_id) && r.flag(f.order_complete);
}

void put(Writer& w, const ErrorInfo& e) {
  w.fixed(e.component);
  w.num(static_cast<std::uint8_t>(e.severity));
  w.text(e.error_type);
  w.text(e.message);
  w.text(e.context);
}

bool get(Reader& r, ErrorInfo& e) {
  return r.fixed(e.component) && r.enumeration(e.severity, 4) && r.text(e.error_type) &&
         r.text(e.message) && r.text(e.context);
}

void put(Writer&, const std::monostate&) {}
bool get(Reader&, std::monostate&) {
  return true;
}

template <class T>
bool decode_payload(Reader& r, Payload& p) {
  T v{};
  if (!get(r, v)) return false;
  p = std::move(v);
  return true;
}

}  // namespace

void encode_event(const Event& e, std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + max_size(e));
  Writer w(out.data() + start);
  w.num(kEventCodecVersion);
  w.num(static_cast<std::uint8_t>(e.type));
  w.num(e.timestamp_ns);
  w.num(e.sequence);
  w.fixed(e.source);
  w.num(static_cast<std::uint8_t>(e.payload.index()));
  std::visit([&](const auto& v) { put(w, v); }, e.payload);
  out.resize(static_cast<std::size_t>(w.position() - out.data()));
}

bool decode_event(std::string_view bytes, Event& e, std::string& error) {
  Reader r(bytes);
  std::uint8_t version = 0, kind = 0;
  bool ok = r.num(version);
  if (ok && version != kEventCodecVersion) {
    error = fmt::format("record version {} (this build reads {})", version, kEventCodecVersion);
    return false;
  }
  ok = ok && r.enumeration(e.type, kEventTypeCount) && r.num(e.timestamp_ns) && r.num(e.sequence) &&
       r.fixed(e.source) && r.num(kind);
  if (ok) {
    switch (kind) {
      case 0:
        ok = decode_payload<std::monostate>(r, e.payload);
        break;
      case 1:
        ok = decode_payload<Candle>(r, e.payload);
        break;
      case 2:
        ok = decode_payload<Signal>(r, e.payload);
        break;
      case 3:
        ok = decode_payload<Order>(r, e.payload);
        break;
      case 4:
        ok = decode_payload<Fill>(r, e.payload);
        break;
      case 5:
        ok = decode_payload<ErrorInfo>(r, e.payload);
        break;
      default:
        ok = r.fail(fmt::format("payload kind {} unknown", kind));
    }
  }
  if (ok && !r.at_end()) ok = r.fail("bytes left after the event");
  if (!ok) error = r.error();
  return ok;
}

}  // namespace tradebus
