// Portfolio::snapshot() and restore(): the books as bytes, for stores that keep them beside the
// fills they cover. The layout is a schema that outlives a build (old state directories hold
// it), so it is written field by field, little-endian, behind a magic and a version; a new
// field means a new version that this file still reads the old one of.
//
// Version 1:
//   "TBPF" u8(1) i64 cash change  i64 fees  u64 round trips  u64 wins
//   u8 has last round trip [round trip]  u32 positions, each:
//   symbol  i64 quantity  i64 cost basis  i64 realized  i64 entry cost  i64 exit proceeds
//   u8 has entry time [i64 entry time]
// where a symbol is u8 length + bytes, a round trip is symbol, i64 entry time, i64 exit time,
// i64 entry cost, i64 exit proceeds, and every amount is a Decimal's raw value.
#include <bit>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "tradebus/execution/portfolio.hpp"

namespace tradebus {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the portfolio snapshot assumes little-endian");

constexpr std::string_view kMagic = "TBPF";
constexpr std::uint8_t kVersion = 1;

class SnapshotWriter {
 public:
  template <class T>
  void num(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out_.append(b, sizeof(T));
  }
  void dec(Decimal d) { num(d.raw()); }
  void symbol(const Symbol& s) {
    num(static_cast<std::uint8_t>(s.size()));
    out_.append(s.view());
  }
  void raw(std::string_view s) { out_.append(s); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class SnapshotReader {
 public:
  explicit SnapshotReader(std::string_view in) : in_(in) {}
  template <class T>
  T num() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, in_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  Decimal dec() { return Decimal::from_raw(num<std::int64_t>()); }
  Symbol symbol() {
    const auto n = num<std::uint8_t>();
    if (n > Symbol::kMaxSize) fail(fmt::format("symbol of {} characters", n));
    need(n);
    Symbol s(in_.substr(at_, n));
    at_ += n;
    return s;
  }
  bool flag() {
    const auto f = num<std::uint8_t>();
    if (f > 1) fail(fmt::format("flag byte {}", f));
    return f == 1;
  }
  std::string_view bytes(std::size_t n) {
    need(n);
    const auto s = in_.substr(at_, n);
    at_ += n;
    return s;
  }
  void finish() const {
    if (at_ != in_.size()) fail(fmt::format("{} bytes after the end", in_.size() - at_));
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument(
        fmt::format("portfolio snapshot: {} at byte {} of {}", what, at_, in_.size()));
  }

 private:
  void need(std::size_t n) const {
    if (in_.size() - at_ < n) fail("ends early");
  }
  std::string_view in_;
  std::size_t at_ = 0;
};

void write_round_trip(SnapshotWriter& w, const RoundTrip& t) {
  w.symbol(t.symbol);
  w.num(t.entry_time_ns);
  w.num(t.exit_time_ns);
  w.dec(t.entry_cost);
  w.dec(t.exit_proceeds);
}

RoundTrip read_round_trip(SnapshotReader& r) {
  RoundTrip t;
  t.symbol = r.symbol();
  t.entry_time_ns = r.num<std::int64_t>();
  t.exit_time_ns = r.num<std::int64_t>();
  t.entry_cost = r.dec();
  t.exit_proceeds = r.dec();
  return t;
}

}  // namespace

std::string Portfolio::snapshot() const {
  SnapshotWriter w;
  w.raw(kMagic);
  w.num(kVersion);
  w.dec(cash_ - initial_cash_);
  w.dec(fees_);
  w.num(round_trips_);
  w.num(wins_);
  w.num(static_cast<std::uint8_t>(last_round_trip_.has_value()));
  if (last_round_trip_) write_round_trip(w, *last_round_trip_);
  w.num(static_cast<std::uint32_t>(positions_.size()));
  for (const auto& [symbol, p] : positions_) {
    w.symbol(symbol);
    w.dec(p.quantity);
    w.dec(p.cost_basis);
    w.dec(p.realized_pnl);
    w.dec(p.entry_cost);
    w.dec(p.exit_proceeds);
    const auto entry = entry_time_.find(symbol);
    w.num(static_cast<std::uint8_t>(entry != entry_time_.end()));
    if (entry != entry_time_.end()) w.num(entry->second);
  }
  return w.take();
}

void Portfolio::restore(std::string_view snapshot) {
  if (has_fills_)
    throw std::logic_error("Portfolio::restore: fills or a snapshot were already applied");
  SnapshotReader r(snapshot);
  if (r.bytes(kMagic.size()) != kMagic) r.fail("no TBPF magic");
  const auto version = r.num<std::uint8_t>();
  if (version != kVersion)
    r.fail(fmt::format("version {} (this build reads {})", version, kVersion));
  // Read into locals first: a bad snapshot leaves this portfolio as it was.
  const Money cash_change = r.dec();
  const Money fees = r.dec();
  const auto round_trips = r.num<std::uint64_t>();
  const auto wins = r.num<std::uint64_t>();
  std::optional<RoundTrip> last;
  if (r.flag()) last = read_round_trip(r);
  std::map<Symbol, Position> positions;
  std::map<Symbol, std::int64_t> entry_time;
  for (auto n = r.num<std::uint32_t>(); n > 0; --n) {
    const Symbol symbol = r.symbol();
    Position p;
    p.quantity = r.dec();
    p.cost_basis = r.dec();
    p.realized_pnl = r.dec();
    p.entry_cost = r.dec();
    p.exit_proceeds = r.dec();
    if (r.flag()) entry_time[symbol] = r.num<std::int64_t>();
    if (p.quantity.is_negative()) r.fail(fmt::format("negative position in {}", symbol.view()));
    if (!positions.emplace(symbol, p).second)
      r.fail(fmt::format("{} appears twice", symbol.view()));
  }
  r.finish();
  // Marks are not part of the books; keep the ones already taken.
  for (auto& [symbol, p] : positions)
    if (auto it = positions_.find(symbol); it != positions_.end())
      p.last_price = it->second.last_price;
  for (const auto& [symbol, p] : positions_)
    if (!positions.count(symbol)) positions.emplace(symbol, p);
  cash_ = initial_cash_ + cash_change;
  fees_ = fees;
  round_trips_ = round_trips;
  wins_ = wins;
  last_round_trip_ = last;
  positions_ = std::move(positions);
  entry_time_ = std::move(entry_time);
  has_fills_ = true;  // a second restore would count the same fills twice
}

}  // namespace tradebus
