// EventCodec: a portable binary form of an Event for the journal — fields written one by one,
// little-endian, strings with their length, doubles as IEEE bits — so a record means the same
// thing to any later build. decode_event() never trusts its input: every length, enum and
// string size is checked, and a bad record is an error, never a crash.
//
// Layout (version 1): u8 version, u8 EventType, i64 timestamp_ns, u64 sequence, str source,
// u8 payload kind (0 none, 1 Candle, 2 Signal, 3 Order, 4 Fill, 5 ErrorInfo), then the
// payload's fields in declaration order. Decimals are their raw i64 (value x 1e8), enums u8,
// bools u8 0/1, FixedStrings u8 length + bytes, std::strings u32 length + bytes, the signal's
// strength its IEEE-754 bits as u64. fuzz/corpus/journal_record/candle.bin is a hand-built
// example that a test decodes.
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
