// KlineCsvSource: replays several kline CSV files (one or more per symbol) merged in open-time
// order, ties broken by symbol name ascending. Files are opened (and so checked for existence
// and readability) when the source is built.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "tradebus/marketdata/candle_replay.hpp"
#include "tradebus/marketdata/kline_csv_reader.hpp"
#include "tradebus/model/cache_line_allocator.hpp"

namespace tradebus {

struct KlineFileSpec {
  std::string symbol;  ///< Empty: taken from the file name.
  std::string path;
  std::string interval;  ///< Empty: taken from the file name or the rows.
};

/// Replaces each spec whose path names no file but holds a glob pattern (`*`, `?`, `[`) by
/// one spec per matching file, in name order (Binance's daily files sort by date); other specs
/// are kept as they are. Throws DataError for a pattern that matches nothing.
std::vector<KlineFileSpec> expand_kline_patterns(const std::vector<KlineFileSpec>& files);

class KlineCsvSource final : public CandleReplay {
 public:
  /// Throws DataError for a file that cannot be opened or whose symbol cannot be known.
  /// Paths may be glob patterns (see expand_kline_patterns).
  explicit KlineCsvSource(const std::vector<KlineFileSpec>& files);
  ~KlineCsvSource() override;

  std::string_view name() const override { return "kline_csv"; }
  double progress() const override;
  std::vector<std::string> symbols() const;

 protected:
  bool next(Candle& out) override;

 private:
  struct Stream {
    std::unique_ptr<KlineCsvReader> reader;
    Candle current;
    bool has = false;
    std::size_t symbol_slot = 0;
    std::size_t symbol_rank = 0;  // streams with smaller symbols, for tie-breaking
  };
  void advance(Stream& s);

  // Written for every candle by the replay thread: on cache lines of their own (see
  // CacheLineAllocator), as is each stream's reader.
  std::vector<Stream, CacheLineAllocator<Stream>> streams_;
  std::vector<std::size_t, CacheLineAllocator<std::size_t>> heap_;  // streams with a candle
  bool primed_ = false;
  std::exception_ptr pending_error_;
  std::uint64_t total_bytes_ = 0;
  std::atomic<std::uint64_t> consumed_bytes_{0};
  // Per symbol, to catch overlaps between files.
  std::vector<std::int64_t, CacheLineAllocator<std::int64_t>> last_open_;
};

}  // namespace tradebus
