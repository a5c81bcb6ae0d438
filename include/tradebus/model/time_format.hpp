// UTC timestamps as text.
#pragma once

#include <cstdint>
#include <string>

namespace tradebus {

/// "2020-01-01T00:01:00Z" (seconds) or with ".123" when `millis`.
std::string format_utc(std::int64_t ns, bool millis = false);

}  // namespace tradebus
