// Journal records: any bytes decode or give an error; what decodes re-encodes to the same bytes
// (byte equality, since a decoded signal strength may be a NaN that never equals itself).
#include <cstdint>
#include <string>
#include <string_view>

#include "tradebus/persistence/event_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tradebus::Event e;
  std::string error;
  if (!tradebus::decode_event(std::string_view(reinterpret_cast<const char*>(data), size), e,
                              error)) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  std::string again;
  tradebus::encode_event(e, again);
  if (again != std::string_view(reinterpret_cast<const char*>(data), size)) __builtin_trap();
  return 0;
}
