#include "tradebus/adapters/binance/kline_message_parser.hpp"

#include <simdjson.h>

#include <cstring>

#include <fmt/format.h>

namespace tradebus::binance {

struct KlineMessageParser::Impl {
  bool fast_path = true;
  simdjson::ondemand::parser parser;
  std::string buffer;  // the message plus simdjson's padding, reused
};

namespace {

using simdjson::ondemand::object;

// Larger epoch milliseconds would overflow nanoseconds in an int64.
constexpr std::int64_t kMaxTimeMs = INT64_MAX / 1'000'000;

// Reads the kline object "k" (fields in any order) into `c`; returns an error text or "".
std::string read_kline(object k, Candle& c, bool& closed) {
  unsigned seen = 0;
  auto decimal = [&](std::string_view key, simdjson::ondemand::value v, Decimal& out,
                     unsigned bit) -> std::string {
    // The raw text between the quotes: decimals have no escapes, so nothing to unescape.
    simdjson::ondemand::raw_json_string raw;
    if (v.get_raw_json_string().get(raw)) return fmt::format("field '{}' is not a string", key);
    const char* begin = reinterpret_cast<const char*>(raw.raw());
    const char* q = begin;
    while (*q != '"')
      ++q;  // the document was validated: a closing quote exists
    const std::string_view s(begin, static_cast<std::size_t>(q - begin));
    auto d = Decimal::parse(s);
    if (!d || d->is_negative()) return fmt::format("field '{}' is not a decimal: '{}'", key, s);
    out = *d;
    seen |= bit;
    return {};
  };
  for (auto field : k) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return "bad key in kline object";
    simdjson::ondemand::value v;
    if (field.value().get(v)) return fmt::format("bad value for '{}'", key);
    std::string err;
    if (key.size() != 1) continue;  // unknown long keys: ignore (forward compatible)
    switch (key[0]) {
      case 't':
      case 'T': {
        std::int64_t ms;
        if (v.get_int64().get(ms) || ms <= 0 || ms > kMaxTimeMs)
          return fmt::format("field '{}' is not a time", key);
        (key[0] == 't' ? c.open_time_ns : c.close_time_ns) = ms * 1'000'000;
        seen |= key[0] == 't' ? 1u : 2u;
        break;
      }
      case 's': {
        std::string_view s;
        if (v.get_string().get(s) || s.empty() || s.size() > Symbol::kMaxSize)
          return "field 's' is not a symbol";
        c.symbol = Symbol(s);
        seen |= 4u;
        break;
      }
      case 'i': {
        std::string_view s;
        if (v.get_string().get(s) || s.empty() || s.size() > Interval::kMaxSize)
          return "field 'i' is not an interval";
        c.interval = Interval(s);
        seen |= 8u;
        break;
      }
      case 'o':
        err = decimal(key, v, c.open, 16u);
        break;
      case 'h':
        err = decimal(key, v, c.high, 32u);
        break;
      case 'l':
        err = decimal(key, v, c.low, 64u);
        break;
      case 'c':
        err = decimal(key, v, c.close, 128u);
        break;
      case 'v':
        err = decimal(key, v, c.volume, 256u);
        break;
      case 'q':
        err = decimal(key, v, c.quote_volume, 512u);
        break;
      case 'V':
        err = decimal(key, v, c.taker_buy_base_volume, 1024u);
        break;
      case 'Q':
        err = decimal(key, v, c.taker_buy_quote_volume, 2048u);
        break;
      case 'n': {
        std::int64_t n;
        if (v.get_int64().get(n) || n < 0) return "field 'n' is not a trade count";
        c.trade_count = n;
        seen |= 4096u;
        break;
      }
      case 'x': {
        bool x;
        if (v.get_bool().get(x)) return "field 'x' is not a boolean";
        closed = x;
        seen |= 8192u;
        break;
      }
      default:
        break;
    }
    if (!err.empty()) return err;
  }
  if (seen != 16383u) return "kline object lacks a required field (t T s i o h l c v q V Q n x)";
  if (c.high < c.low) return "kline high is below low";
  if (c.close_time_ns < c.open_time_ns) return "kline close time is before open time";
  return {};
}

// A cursor over Binance's exact kline layout; any mismatch returns false and the caller falls
// back to simdjson, so this never decides what an unusual message means.
class ExactScan {
 public:
  explicit ExactScan(std::string_view t) : p_(t.data()), end_(t.data() + t.size()) {}

  bool lit(std::string_view s) {
    if (static_cast<std::size_t>(end_ - p_) < s.size() || std::memcmp(p_, s.data(), s.size()))
      return false;
    p_ += s.size();
    return true;
  }
  // The rest of a string whose opening quote was consumed; no escapes or control characters.
  bool str(std::string_view& out) {
    const char* b = p_;
    while (p_ < end_ && *p_ != '"') {
      const auto ch = static_cast<unsigned char>(*p_);
      if (ch == '\\' || ch < 0x20 || ch >= 0x80) return false;  // simdjson checks UTF-8
      ++p_;
    }
    if (p_ == end_) return false;
    out = std::string_view(b, static_cast<std::size_t>(p_ - b));
    ++p_;
    return true;
  }
  bool integer(std::int64_t& v) {
    bool neg = false;
    if (p_ < end_ && *p_ == '-') neg = true, ++p_;
    const char* b = p_;
    std::int64_t x = 0;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9' && p_ - b < 18)
      x = x * 10 + (*p_++ - '0');
    if (p_ == b || (p_ < end_ && *p_ >= '0' && *p_ <= '9')) return false;  // none, or > 18 digits
    if (*b == '0' && p_ - b > 1) return false;                             // JSON: no leading 0
    v = neg ? -x : x;
    return true;
  }
  bool decimal(Decimal& d) {
    std::string_view s;
    if (!str(s)) return false;
    auto v = Decimal::parse(s);
    if (!v || v->is_negative()) return false;
    d = *v;
    return true;
  }
  bool at_end() const { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
};

bool parse_exact(std::string_view text, KlineMessage& out) {
  ExactScan s(text);
  std::string_view sv;
  std::int64_t i = 0;
  const bool wrapped = s.lit(R"({"stream":")");
  if (wrapped && !(s.str(sv) && s.lit(R"(,"data":)"))) return false;
  Candle& c = out.candle;
  bool closed = false;
  std::int64_t open_ms = 0, close_ms = 0;
  if (!(s.lit(R"({"e":"kline","E":)") && s.integer(i) && s.lit(R"(,"s":")") && s.str(sv) &&
        s.lit(R"(,"k":{"t":)") && s.integer(open_ms) && s.lit(R"(,"T":)") && s.integer(close_ms) &&
        s.lit(R"(,"s":")") && s.str(sv)))
    return false;
  if (sv.empty() || sv.size() > Symbol::kMaxSize) return false;
  c.symbol = Symbol(sv);
  if (!(s.lit(R"(,"i":")") && s.str(sv)) || sv.empty() || sv.size() > Interval::kMaxSize)
    return false;
  c.interval = Interval(sv);
  if (!(s.lit(R"(,"f":)") && s.integer(i) && s.lit(R"(,"L":)") && s.integer(i) &&
        s.lit(R"(,"o":")") && s.decimal(c.open) && s.lit(R"(,"c":")") && s.decimal(c.close) &&
        s.lit(R"(,"h":")") && s.decimal(c.high) && s.lit(R"(,"l":")") && s.decimal(c.low) &&
        s.lit(R"(,"v":")") && s.decimal(c.volume) && s.lit(R"(,"n":)") && s.integer(c.trade_count)))
    return false;
  if (s.lit(R"(,"x":true)"))
    closed = true;
  else if (!s.lit(R"(,"x":false)"))
    return false;
  if (!(s.lit(R"(,"q":")") && s.decimal(c.quote_volume) && s.lit(R"(,"V":")") &&
        s.decimal(c.taker_buy_base_volume) && s.lit(R"(,"Q":")") &&
        s.decimal(c.taker_buy_quote_volume) && s.lit(R"(,"B":")") && s.str(sv) && s.lit("}}")))
    return false;
  if (wrapped && !s.lit("}")) return false;
  if (!s.at_end()) return false;
  // The checks read_kline() makes; failing one lets the generic path word the error.
  if (open_ms <= 0 || close_ms <= 0 || open_ms > kMaxTimeMs || close_ms > kMaxTimeMs ||
      c.trade_count < 0 || c.high < c.low || close_ms < open_ms)
    return false;
  c.open_time_ns = open_ms * 1'000'000;
  c.close_time_ns = close_ms * 1'000'000;
  out.kind = closed ? KlineMessageKind::closed_candle : KlineMessageKind::open_update;
  return true;
}

}  // namespace

KlineMessageParser::KlineMessageParser(bool fast_path) : impl_(std::make_unique<Impl>()) {
  impl_->fast_path = fast_path;
}
KlineMessageParser::~KlineMessageParser() = default;

KlineMessage KlineMessageParser::parse(std::string_view text) {
  KlineMessage out;
  if (impl_->fast_path) {
    if (parse_exact(text, out)) return out;
    out = KlineMessage{};
  }
  auto& buf = impl_->buffer;
  buf.assign(text);
  buf.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(buf.data(), text.size(), buf.capacity()).get(doc)) {
    out.error = "not JSON";
    return out;
  }
  object root;
  if (doc.get_object().get(root)) {
    out.error = "not a JSON object";
    return out;
  }
  // A combined-stream wrapper carries the payload in "data"; otherwise the root is it.
  object payload;
  simdjson::ondemand::value data;
  const auto found = root.find_field_unordered("data").get(data);
  if (found == simdjson::SUCCESS) {
    if (data.get_object().get(payload)) {
      out.error = "'data' is not an object";
      return out;
    }
  } else if (found == simdjson::NO_SUCH_FIELD) {
    bool dummy;
    if (root.reset().get(dummy)) {
      out.error = "not a JSON object";
      return out;
    }
    payload = root;
  } else {
    out.error = "not JSON";
    return out;
  }
  std::string_view event_type;
  bool is_kline = false;
  for (auto field : payload) {
    std::string_view key;
    if (field.unescaped_key().get(key)) {
      out.error = "bad key";
      return out;
    }
    if (key == "e") {
      if (field.value().get_string().get(event_type)) {
        out.error = "field 'e' is not a string";
        return out;
      }
      if (event_type != "kline") {
        out.kind = KlineMessageKind::other;
        return out;
      }
      is_kline = true;
    } else if (key == "k") {
      if (!is_kline) {
        out.error = "'k' before \"e\":\"kline\"";
        return out;
      }
      object k;
      if (field.value().get_object().get(k)) {
        out.error = "field 'k' is not an object";
        return out;
      }
      bool closed = false;
      out.error = read_kline(k, out.candle, closed);
      if (!out.error.empty()) return out;
      out.kind = closed ? KlineMessageKind::closed_candle : KlineMessageKind::open_update;
      return out;
    }
  }
  if (!is_kline) {
    out.kind = KlineMessageKind::other;
    return out;
  }
  out.error = "kline message without 'k'";
  return out;
}

}  // namespace tradebus::binance
