// Side of a signal, order or fill.
#pragma once

#include <cstdint>
#include <string_view>

namespace tradebus {

enum class Side : std::uint8_t { buy, sell };

constexpr std::string_view to_string(Side s) noexcept {
  return s == Side::buy ? "BUY" : "SELL";
}
constexpr Side opposite(Side s) noexcept {
  return s == Side::buy ? Side::sell : Side::buy;
}

}  // namespace tradebus
