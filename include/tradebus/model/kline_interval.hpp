// Binance kline interval names ("1s" ... "1M") and their lengths.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tradebus {

/// Length of a Binance kline interval in milliseconds ("1M" counts as 30 days: only used for
/// estimates and for recognising a file's interval); nullopt for a name Binance does not have.
std::optional<std::int64_t> interval_length_ms(std::string_view name) noexcept;
/// The interval name of exactly that length ("1m" for 60,000), or "" when there is none.
std::string_view interval_of_length_ms(std::int64_t ms) noexcept;
/// Every name, shortest first and space-separated ("1s 1m 3m ... 1M"), for error messages.
std::string_view interval_names() noexcept;

}  // namespace tradebus
