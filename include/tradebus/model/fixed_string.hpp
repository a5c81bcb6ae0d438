// FixedString: a short string stored inline, so events carrying symbols and ids need no heap.
// Value type; no thread rule beyond that of an int.
#pragma once

#include <algorithm>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

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
    // A zero tail makes equal strings equal byte for byte: see compare().
    std::fill(data_ + s.size(), data_ + N, '\0');
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
    if (std::is_constant_evaluated()) return a.view() == b.view();
    return compare(a, b) == 0;
  }
  friend constexpr std::strong_ordering operator<=>(const FixedString& a,
                                                    const FixedString& b) noexcept {
    if (std::is_constant_evaluated()) return a.view() <=> b.view();
    const int c = compare(a, b);
    return c < 0   ? std::strong_ordering::less
           : c > 0 ? std::strong_ordering::greater
                   : std::strong_ordering::equal;
  }
  /// A hash of the text, read eight bytes at a time like compare(): the strategies look their
  /// state up by symbol on every candle, and hashing through std::string_view cost a call to
  /// the byte-wise _Hash_bytes each time.
  std::size_t hash() const noexcept {
    std::uint64_t h = 0;
    for (std::size_t i = 0; i < kWords; ++i)
      h = mix(h ^ word(*this, i));
    return static_cast<std::size_t>(h);
  }

  friend constexpr bool operator==(const FixedString& a, std::string_view b) noexcept {
    return a.view() == b;
  }
  friend constexpr bool operator==(const FixedString& a, const char* b) noexcept {
    return a.view() == std::string_view(b);
  }

 private:
  // Symbols key the books' maps and are compared on every candle, fill and order: a call to
  // memcmp per comparison was 15 % of a backtest's loop thread. With the tail past size_ kept
  // zero, the object's bytes (characters, then the size) order exactly as the strings do
  // (a shorter string's zero meets a longer one's character, or the sizes decide after equal
  // characters), so eight bytes at a time, read big-endian, compare them with no call.
  static int compare(const FixedString& a, const FixedString& b) noexcept {
    static_assert(std::endian::native == std::endian::little, "words are byte-swapped");
    for (std::size_t i = 0; i < kWords; ++i) {
      const std::uint64_t x = word(a, i), y = word(b, i);
      if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
    }
    return 0;
  }

  // The object's bytes as words, for compare() and hash(). A last partial word is the object's
  // last eight bytes: compare() reaches it only when the words before are equal, so the bytes
  // it shares with them are equal too and the new ones decide. Objects under eight bytes are
  // one zero-padded word.
  static constexpr std::size_t kWords = (N + 1 + 7) / 8;
  static std::uint64_t word(const FixedString& s, std::size_t i) noexcept {
    static_assert(sizeof(FixedString) == N + 1, "no padding: the size is the last byte");
    const auto* p = reinterpret_cast<const unsigned char*>(&s);
    std::uint64_t w = 0;
    if constexpr (N + 1 < 8)
      std::memcpy(&w, p, N + 1);
    else
      std::memcpy(&w, p + std::min(8 * i, N + 1 - 8), 8);
    return w;
  }

  // A multiply spreads each byte over the high bits and the shift folds them back down, so
  // every byte of the text reaches the bits a bucket index is taken from.
  static constexpr std::uint64_t mix(std::uint64_t x) noexcept {
    x *= 0x9E3779B97F4A7C15ULL;
    return x ^ (x >> 32);
  }

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
  std::size_t operator()(const tradebus::FixedString<N>& s) const noexcept { return s.hash(); }
};
