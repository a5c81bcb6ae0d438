#include "tradebus/engine/order_store.hpp"

#include <fmt/format.h>

namespace tradebus {

std::string signal_key(const Signal& s) {
  return fmt::format("{}/{}/{}/{}", s.strategy_id.view(), s.symbol.view(), s.time_ns,
                     to_string(s.direction));
}

}  // namespace tradebus
