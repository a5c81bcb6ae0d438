#include "tradebus/model/decimal.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace tradebus {
namespace {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

std::int64_t checked(i128 v, const char* what) {
  if (v > kMax || v < kMin) throw DecimalError(std::string("Decimal overflow in ") + what);
  return static_cast<std::int64_t>(v);
}

// kUnitOfPlace[n]: raw units in one step of the n-th decimal place (10^(8-n)).
constexpr std::uint64_t kUnitOfPlace[] = {100000000, 10000000, 1000000, 100000, 10000,
                                          1000,      100,      10,      1};

// Rounds n / d half to even; d != 0.
i128 div_half_even(i128 n, i128 d) {
  if (d < 0) n = -n, d = -d;
  i128 q = n / d;
  i128 r = n % d;
  if (r == 0) return q;
  i128 twice = (r < 0 ? -r : r) * 2;
  bool away = twice > d || (twice == d && (q % 2 != 0));
  if (away) q += (n < 0) ? -1 : 1;
  return q;
}

// Eight ASCII digits at once (SWAR) into `out`; false when any of them is not a digit.
bool eight_digits(const char* p, std::uint64_t& out) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if (((v & 0xF0F0F0F0F0F0F0F0ULL) |
       (((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) != 0x3333333333333333ULL)
    return false;
  v = (v & 0x0F0F0F0F0F0F0F0FULL) * 2561 >> 8;
  v = (v & 0x00FF00FF00FF00FFULL) * 6553601 >> 16;
  out = (v & 0x0000FFFF0000FFFFULL) * 42949672960001ULL >> 32;
  return true;
}

}  // namespace

Decimal Decimal::from_int(std::int64_t units) {
  return Decimal(checked(static_cast<i128>(units) * kOne, "from_int"));
}

std::optional<Decimal> Decimal::parse(std::string_view s) noexcept {
  // Hot in CSV and WebSocket parsing: 64-bit accumulation, digit counts bound the range.
  const char* p = s.data();
  const char* const end = p + s.size();
  bool negative = false;
  if (p != end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  while (p != end && *p == '0' && p + 1 != end && p[1] >= '0' && p[1] <= '9')
    ++p;  // leading zeros
  std::uint64_t int_part = 0;
  int int_digits = 0;
  for (; p != end && static_cast<unsigned char>(*p - '0') < 10; ++p, ++int_digits)
    int_part = int_part * 10 + static_cast<std::uint64_t>(*p - '0');
  if (int_digits > 11) return std::nullopt;  // > 99,999,999,999: out of range
  std::uint64_t frac = 0;
  int frac_digits = 0;
  bool any_frac_char = false;
  if (p != end && *p == '.') {
    ++p;
    if (end - p >= 8 && eight_digits(p, frac)) {  // exchanges write exactly eight places
      p += 8;
      frac_digits = 8;
      any_frac_char = true;
    }
    for (; p != end && static_cast<unsigned char>(*p - '0') < 10; ++p) {
      any_frac_char = true;
      if (frac_digits < kScale) {
        frac = frac * 10 + static_cast<std::uint64_t>(*p - '0');
        ++frac_digits;
      } else if (*p != '0') {
        return std::nullopt;  // more precision than 1e-8: not exact
      }
    }
  }
  if ((int_digits == 0 && !any_frac_char) || p != end) return std::nullopt;
  const u128 value = static_cast<u128>(int_part) * kOne + frac * kUnitOfPlace[frac_digits];
  if (value > static_cast<u128>(kMax)) return std::nullopt;
  const auto v = static_cast<std::int64_t>(value);
  return Decimal(negative ? -v : v);
}

Decimal Decimal::from_string(std::string_view text) {
  if (auto d = parse(text)) return *d;
  throw DecimalError("not a decimal with at most 8 places in range: '" + std::string(text) + "'");
}

Decimal Decimal::from_double(double v) {
  if (!std::isfinite(v)) throw DecimalError("not a finite number");
  double scaled = std::nearbyint(v * static_cast<double>(kOne));
  if (scaled >= 9.2e18 || scaled <= -9.2e18) throw DecimalError("Decimal overflow in from_double");
  return Decimal(static_cast<std::int64_t>(scaled));
}

std::string Decimal::to_string_fixed(int places) const {
  // Hot wherever events become text (JSON lines, reports, CSV, REST parameters): 64-bit
  // arithmetic into a stack buffer, one string built at the end.
  places = std::clamp(places, 0, kScale);
  const std::uint64_t scale = kUnitOfPlace[places];
  // Half to even on the magnitude: that rounding is symmetric, so the sign goes on after.
  const std::uint64_t magnitude =
      raw_ < 0 ? 0 - static_cast<std::uint64_t>(raw_) : static_cast<std::uint64_t>(raw_);
  std::uint64_t q = magnitude / scale;
  const std::uint64_t r = magnitude % scale;  // < 1e8, so 2 * r cannot overflow
  if (2 * r > scale || (2 * r == scale && (q & 1) != 0)) ++q;
  const bool negative = raw_ < 0 && q != 0;  // what rounds to zero prints without a sign
  char buf[32];                              // at most 21: sign, 11 integer digits, point, 8 places
  char* const end = buf + sizeof buf;
  char* p = end;
  for (int i = 0; i < places; ++i, q /= 10)
    *--p = static_cast<char>('0' + q % 10);
  if (places > 0) *--p = '.';
  do {
    *--p = static_cast<char>('0' + q % 10);
    q /= 10;
  } while (q != 0);
  if (negative) *--p = '-';
  return std::string(p, end);
}

std::string Decimal::to_string() const {
  std::string s = to_string_fixed(kScale);
  auto dot = s.find('.');
  std::size_t end = s.size();
  while (end > dot + 1 && s[end - 1] == '0')
    --end;
  if (end == dot + 1) end = dot;
  s.resize(end);
  return s == "-0" ? "0" : s;
}

Decimal operator+(Decimal a, Decimal b) {
  return Decimal(checked(static_cast<i128>(a.raw_) + b.raw_, "addition"));
}
Decimal operator-(Decimal a, Decimal b) {
  return Decimal(checked(static_cast<i128>(a.raw_) - b.raw_, "subtraction"));
}
Decimal Decimal::mul(Decimal a, Decimal b) {
  return Decimal(checked(div_half_even(static_cast<i128>(a.raw_) * b.raw_, kOne), "mul"));
}
Decimal Decimal::div(Decimal a, Decimal b) {
  if (b.raw_ == 0) throw DecimalError("division by zero");
  return Decimal(checked(div_half_even(static_cast<i128>(a.raw_) * kOne, b.raw_), "div"));
}
Decimal Decimal::mul_ratio(Decimal a, std::int64_t numerator, std::int64_t denominator) {
  if (denominator == 0) throw DecimalError("division by zero");
  return Decimal(
      checked(div_half_even(static_cast<i128>(a.raw_) * numerator, denominator), "mul_ratio"));
}
Decimal Decimal::floor_to(Decimal step) const {
  if (step.raw_ <= 0) throw DecimalError("floor_to: step must be positive");
  std::int64_t q = raw_ / step.raw_;
  if (raw_ % step.raw_ != 0 && raw_ < 0) --q;
  return Decimal(checked(static_cast<i128>(q) * step.raw_, "floor_to"));
}

namespace literals {
Decimal operator""_d(const char* text) {
  return Decimal::from_string(text);
}
Decimal operator""_d(const char* text, std::size_t size) {
  return Decimal::from_string(std::string_view(text, size));
}
}  // namespace literals

}  // namespace tradebus
