// EventCodec: a portable binary form of an Event for the journal — fields written one by one,
// little-endian, strings with their length, doubles as IEEE bits — so a record means the same
// thing to any later build. decode_event() never trusts its input: every length, enum and
// string size is checked, and a bad record is an error, never a crash.
#pragma once

#include <string>
#include <string_view>

#include "tradebus/model/event.hpp"

namespace tradebus {

/// The encoding's version, first byte of every record.
inline constexpr std::uint8_t kEventCodecVersion = 1;

/// Appends the encoding of `e` to `out`.
void encode_event(const Event& e, std::string& out);

/// Decodes one record's payload into `e`; false with `error` saying what is wrong.
bool decode_event(std::string_view bytes, Event& e, std::string& error);

}  // namespace tradebus
