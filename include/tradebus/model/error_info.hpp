// ErrorInfo: payload of an ERROR event (seed §5.3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tradebus/model/fixed_string.hpp"

namespace tradebus {

enum class Severity : std::uint8_t { info, warning, error, critical };
std::string_view to_string(Severity s) noexcept;

struct ErrorInfo {
  ShortId component;  ///< "strategy", "order_manager", "exchange", "bus", ...
  Severity severity = Severity::error;
  std::string error_type;  ///< Exception type or error class.
  std::string message;
  std::string context;  ///< Free text or JSON describing what was being handled.

  friend bool operator==(const ErrorInfo&, const ErrorInfo&) = default;
};

}  // namespace tradebus
