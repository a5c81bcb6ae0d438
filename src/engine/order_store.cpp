#include "tradebus/engine/order_store.hpp"

#include <algorithm>
#include <charconv>

namespace tradebus {

SignalKey signal_key(const Signal& s) {
  // Built on the stack: it runs twice per order (the duplicate check, then the record). Sized
  // for any FixedString lengths, so no write can pass its end; SignalKey holds the real ones.
  char buf[255 + 1 + 255 + 1 + 20 + 1 + 4];
  char* p = std::copy(s.strategy_id.view().begin(), s.strategy_id.view().end(), buf);
  *p++ = '/';
  p = std::copy(s.symbol.view().begin(), s.symbol.view().end(), p);
  *p++ = '/';
  p = std::to_chars(p, p + 20, s.time_ns).ptr;  // an int64 has at most 20 characters
  *p++ = '/';
  const std::string_view side = to_string(s.direction);
  p = std::copy(side.begin(), side.end(), p);
  return SignalKey(std::string_view(buf, static_cast<std::size_t>(p - buf)));
}

}  // namespace tradebus
