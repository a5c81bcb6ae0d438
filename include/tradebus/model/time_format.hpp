// UTC timestamps as text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tradebus {

/// "2020-01-01T00:01:00Z" (seconds) or with ".123" when `millis`.
std::string format_utc(std::int64_t ns, bool millis = false);

/// Parses "2024-01-31", "2024-01-31T12:30", "2024-01-31T12:30:15" (optionally with a trailing
/// "Z", or a space instead of "T") as UTC; epoch nanoseconds, or nullopt for anything else.
std::optional<std::int64_t> parse_utc(std::string_view text);

}  // namespace tradebus
