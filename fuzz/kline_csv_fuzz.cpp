// Kline CSV files: any bytes give candles or a DataError, never a crash.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "tradebus/marketdata/data_error.hpp"
#include "tradebus/marketdata/kline_csv_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/tradebus-fuzz-" + std::to_string(::getpid()) + ".csv";
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    tradebus::KlineCsvReader reader(path, "BTCUSDT", "1m");
    tradebus::Candle c;
    while (reader.next(c)) {
      if (c.high < c.low) __builtin_trap();  // the reader promises validated candles
    }
  } catch (const tradebus::DataError&) {
  }
  return 0;
}
