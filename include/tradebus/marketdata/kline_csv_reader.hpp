// KlineCsvReader: streams one Binance kline CSV in the public data-dump layout (12 columns:
// open time, open, high, low, close, volume, close time, quote volume, trades, taker buy base,
// taker buy quote, ignore), with or without a header line, timestamps in milliseconds or
// microseconds (detected per file). Reads in fixed-size chunks: memory does not grow with the
// file. Every malformed row is a DataError naming the file, line and problem.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tradebus/marketdata/data_error.hpp"
#include "tradebus/model/candle.hpp"

namespace tradebus {

enum class TimeUnit : std::uint8_t { unknown, milliseconds, microseconds };

// Aligned to a cache line: the replay thread updates its read position for every row, so no
// other heap object should share its lines (see CacheLineAllocator).
class alignas(64) KlineCsvReader {
 public:
  /// Opens `path`; throws DataError when it cannot be opened or read. An empty `interval` is
  /// taken from the file name (SYMBOL-1m-...) or else from the first row's open/close times.
  KlineCsvReader(std::string path, Symbol symbol, Interval interval = {});
  ~KlineCsvReader();
  KlineCsvReader(const KlineCsvReader&) = delete;
  KlineCsvReader& operator=(const KlineCsvReader&) = delete;

  /// Reads the next candle into `out`; returns false at the end of the file.
  bool next(Candle& out);

  const std::string& path() const noexcept { return path_; }
  const Symbol& symbol() const noexcept { return symbol_; }
  const Interval& interval() const noexcept { return interval_; }
  TimeUnit time_unit() const noexcept { return unit_; }
  bool had_header() const noexcept { return had_header_; }
  std::uint64_t line() const noexcept { return line_; }
  std::uint64_t bytes_consumed() const noexcept { return consumed_; }
  std::uint64_t file_size() const noexcept { return size_; }

  /// "BTCUSDT" from ".../BTCUSDT-1m-2020-01-01.csv", or empty when the name has no such prefix.
  static std::string symbol_from_path(const std::string& path);
  /// "1m" from ".../BTCUSDT-1m-2020-01-01.csv", or empty.
  static std::string interval_from_path(const std::string& path);

 private:
  bool read_line(std::string_view& line);
  bool parse_row_fast(std::string_view line, Candle& out);
  void parse_row(std::string_view line, Candle& out);
  [[noreturn]] void fail(const std::string& message) const;

  std::string path_;
  Symbol symbol_;
  Interval interval_;
  std::FILE* file_ = nullptr;
  std::vector<char> buf_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  std::uint64_t line_ = 0;
  std::uint64_t consumed_ = 0;
  std::uint64_t size_ = 0;
  TimeUnit unit_ = TimeUnit::unknown;
  bool had_header_ = false;
  std::int64_t prev_open_ns_ = 0;
  bool has_prev_ = false;
};

}  // namespace tradebus
