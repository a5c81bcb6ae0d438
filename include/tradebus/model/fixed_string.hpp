// FixedString: a short string stored inline, so events carrying symbols and ids need no heap.
// Value type; no thread rule beyond that of an int.
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tradebus {

template <std::size_t N>
class FixedString {
  static_assert(N > 0 && N < 256, "length is stored in one byte");

 public:
  static constexpr std::size_t kMaxSize = N;

  constexpr FixedString() = default;

  /// Copies `s`; throws std::length_error when it is longer than N.
  constexpr FixedString(std::string_view s) { assign(s); }  // NOLINT: implicit by design
  constexpr FixedString(const char* s) : FixedString(std::string_view(s)) {}  // NOLINT

  /// Copies `s`; throws std::length_error when it is longer than N.
  constexpr void assign(std::string_view s) {
    if (s.size() > N)
      throw std::length_error("FixedString: '" + std::string(s) + "' is longer than " +
                              std::to_string(N));
    std::copy(s.begin(), s.end(), data_);
    size_ = static_cast<std::uint8_t>(s.size());
  }

  /// Copies at most N characters of `s`, cutting the rest (for free text such as reasons).
  static constexpr FixedString truncated(std::string_view s) {
    FixedString f;
    f.assign(s.substr(0, std::min(s.size(), N)));
    return f;
  }

  constexpr std::string_view view() const noexcept { return {data_, size_}; }
  constexpr operator std::string_view() const noexcept { return view(); }  // NOLINT
  std::string str() const { return std::string(view()); }
  constexpr std::size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }

  friend constexpr bool operator==(const FixedString& a, const FixedString& b) noexcept {
    return a.view() == b.view();
  }
  friend constexpr auto operator<=>(const FixedString& a, const FixedString& b) noexcept {
    return a.view() <=> b.view();
  }
  friend constexpr bool operator==(const FixedString& a, std::string_view b) noexcept {
    return a.view() == b;
  }
  friend constexpr bool operator==(const FixedString& a, const char* b) noexcept {
    return a.view() == std::string_view(b);
  }

 private:
  char data_[N]{};
  std::uint8_t size_ = 0;
};

/// Exchange symbol such as "BTCUSDT".
using Symbol = FixedString<23>;
/// Short identifier of a component or strategy ("sma_cross", "paper").
using ShortId = FixedString<31>;
/// Name of the component that published an event ("csv", "paper", "order_manager").
using SourceId = FixedString<15>;
/// Client order id; Binance allows up to 36 characters.
using ClientOrderId = FixedString<36>;

}  // namespace tradebus

template <std::size_t N>
struct std::hash<tradebus::FixedString<N>> {
  std::size_t operator()(const tradebus::FixedString<N>& s) const noexcept {
    return std::hash<std::string_view>{}(s.view());
  }
};
