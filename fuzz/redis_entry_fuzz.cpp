// Redis stream entries (the e field of wire format 1): any bytes decode or give an error, never
// a crash; what decodes re-encodes to the same bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include "tradebus/transport/redis/stream_wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using tradebus::redis::RedisValue;
  const std::string blob(reinterpret_cast<const char*>(data), size);
  tradebus::redis::StreamEntry entry{"1-1", {}};
  entry.fields.kind = RedisValue::Kind::array;
  for (const char* s : {"v", "1", "e"}) {
    RedisValue v;
    v.kind = RedisValue::Kind::string;
    v.str = s;
    entry.fields.elements.push_back(v);
  }
  RedisValue e;
  e.kind = RedisValue::Kind::string;
  e.str = blob;
  entry.fields.elements.push_back(e);
  std::vector<tradebus::Event> events;
  std::string error;
  if (!tradebus::redis::decode_entry(entry, events, error)) {
    if (error.empty() || !events.empty()) __builtin_trap();
    return 0;
  }
  std::string again;
  for (const auto& ev : events)
    tradebus::redis::append_event(ev, again);
  if (again != blob) __builtin_trap();
  return 0;
}
