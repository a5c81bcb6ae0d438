// JSON text for events and their payloads: for logs, pending-order files and `journal cat`.
#pragma once

#include <string>

#include "tradebus/model/event.hpp"

namespace tradebus {

/// One JSON object, no newline; decimals as exact strings.
std::string to_json(const Event& e);
std::string to_json(const Candle& c);
std::string to_json(const Signal& s);
std::string to_json(const Order& o);
std::string to_json(const Fill& f);
std::string to_json(const ErrorInfo& e);
/// Escapes `s` for inclusion inside a JSON string literal (without the quotes).
std::string json_escape(std::string_view s);

}  // namespace tradebus
