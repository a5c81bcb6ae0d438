// Decimal: fixed-point number with 8 decimal places in an int64, the unit exchanges use for
// prices and quantities. Exact to and from text; never goes through binary floating point.
// Value type; no thread rule beyond that of an int.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tradebus {

/// Thrown when a Decimal operation would overflow or text is not a valid decimal.
class DecimalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Decimal {
 public:
  static constexpr int kScale = 8;
  static constexpr std::int64_t kOne = 100'000'000;

  constexpr Decimal() = default;

  /// Returns the decimal whose raw value (units of 1e-8) is `raw`.
  static constexpr Decimal from_raw(std::int64_t raw) noexcept { return Decimal(raw); }
  /// Returns `units` as a decimal; throws DecimalError when out of range.
  static Decimal from_int(std::int64_t units);
  /// Parses "[-+]digits[.digits]" exactly; returns nullopt for anything else, for more than
  /// 8 significant decimal places, or for a value out of range. Trailing zeros are accepted.
  static std::optional<Decimal> parse(std::string_view text) noexcept;
  /// Like parse(), but throws DecimalError naming the text.
  static Decimal from_string(std::string_view text);
  /// Rounds a double to the nearest 1e-8 (only for values that never reach an exchange, such as
  /// config defaults given as floating literals by a user). Throws DecimalError when out of range.
  static Decimal from_double(double v);

  constexpr std::int64_t raw() const noexcept { return raw_; }
  /// Shortest exact text: "50000", "0.001", "-1.5".
  std::string to_string() const;
  /// Text with exactly `places` decimals (0..8), rounded half-even when places < 8.
  std::string to_string_fixed(int places) const;
  /// Nearest double, for indicators, charts and reports only.
  constexpr double to_double() const noexcept { return static_cast<double>(raw_) / kOne; }

  constexpr bool is_zero() const noexcept { return raw_ == 0; }
  constexpr bool is_negative() const noexcept { return raw_ < 0; }
  constexpr bool is_positive() const noexcept { return raw_ > 0; }
  constexpr int sign() const noexcept { return (raw_ > 0) - (raw_ < 0); }

  friend constexpr auto operator<=>(Decimal, Decimal) noexcept = default;
  friend constexpr bool operator==(Decimal, Decimal) noexcept = default;

  /// Checked arithmetic: throws DecimalError on overflow.
  friend Decimal operator+(Decimal a, Decimal b);
  friend Decimal operator-(Decimal a, Decimal b);
  friend constexpr Decimal operator-(Decimal a) noexcept { return Decimal(-a.raw_); }
  Decimal& operator+=(Decimal o) { return *this = *this + o; }
  Decimal& operator-=(Decimal o) { return *this = *this - o; }

  /// a * b rounded half-even to 8 places; throws DecimalError on overflow.
  static Decimal mul(Decimal a, Decimal b);
  /// a / b rounded half-even to 8 places; throws DecimalError on overflow or b == 0.
  static Decimal div(Decimal a, Decimal b);
  /// a * numerator / denominator in one step, rounded half-even (fees in basis points).
  static Decimal mul_ratio(Decimal a, std::int64_t numerator, std::int64_t denominator);
  /// Largest multiple of `step` not above this value (exchange step sizes); step must be > 0.
  Decimal floor_to(Decimal step) const;
  Decimal abs() const noexcept { return Decimal(raw_ < 0 ? -raw_ : raw_); }

 private:
  constexpr explicit Decimal(std::int64_t raw) : raw_(raw) {}
  std::int64_t raw_ = 0;
};

/// Price, quantity and money are all Decimals; the aliases document intent.
using Price = Decimal;
using Quantity = Decimal;
using Money = Decimal;

namespace literals {
/// 1.5_d, exact from the literal's text.
Decimal operator""_d(const char* text);
/// "1.5"_d, exact from the string.
Decimal operator""_d(const char* text, std::size_t size);
}  // namespace literals

}  // namespace tradebus
