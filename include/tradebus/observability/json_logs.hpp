// Log lines as JSON objects, one per line, for log shippers: {"time","level","logger",
// "thread","message"}. Applies to spdlog's default logger (tradebus logs through it).
#pragma once

namespace tradebus {

void use_json_logs();

}  // namespace tradebus
