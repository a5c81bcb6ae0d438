#include "tradebus/marketdata/kline_csv_source.hpp"

#include <glob.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <memory>
#include <system_error>

#include <fmt/format.h>

namespace tradebus {

std::vector<KlineFileSpec> expand_kline_patterns(const std::vector<KlineFileSpec>& files) {
  std::vector<KlineFileSpec> out;
  for (const auto& spec : files) {
    std::error_code ec;
    // A file whose name holds a glob character is still that file.
    if (spec.path.find_first_of("*?[") == std::string::npos ||
        std::filesystem::exists(spec.path, ec)) {
      out.push_back(spec);
      continue;
    }
    glob_t matches{};
    const std::unique_ptr<glob_t, void (*)(glob_t*)> release(&matches, ::globfree);
    const int rc = ::glob(spec.path.c_str(), GLOB_ERR, nullptr, &matches);
    if (rc == GLOB_NOMATCH) throw DataError(spec.path, 0, "no file matches this pattern");
    if (rc != 0)
      throw DataError(spec.path, 0,
                      rc == GLOB_NOSPACE ? "out of memory expanding this pattern"
                                         : "cannot read a folder this pattern goes through");
    for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
      KlineFileSpec one = spec;
      one.path = matches.gl_pathv[i];
      out.push_back(std::move(one));
    }
  }
  return out;
}

KlineCsvSource::KlineCsvSource(const std::vector<KlineFileSpec>& patterns) {
  if (patterns.empty()) throw DataError("(no files)", 0, "no kline files given");
  for (const auto& spec : expand_kline_patterns(patterns)) {
    std::string sym =
        spec.symbol.empty() ? KlineCsvReader::symbol_from_path(spec.path) : spec.symbol;
    if (sym.empty())
      throw DataError(spec.path, 0,
                      "cannot tell the symbol from the file name; give it as SYMBOL=PATH");
    if (sym.size() > Symbol::kMaxSize)
      throw DataError(spec.path, 0, fmt::format("symbol '{}' is too long", sym));
    Stream s;
    s.reader = std::make_unique<KlineCsvReader>(spec.path, Symbol(sym),
                                                Interval::truncated(spec.interval));
    total_bytes_ += s.reader->file_size();
    // Streams of one symbol share a slot for the last open time (overlap check in O(1)).
    auto same = std::find_if(streams_.begin(), streams_.end(), [&](const Stream& o) {
      return o.reader->symbol() == s.reader->symbol();
    });
    s.symbol_slot = same == streams_.end() ? last_open_.size() : same->symbol_slot;
    if (same == streams_.end()) last_open_.push_back(INT64_MIN);
    streams_.push_back(std::move(s));
  }
  for (auto& s : streams_)
    for (const auto& o : streams_)
      s.symbol_rank += o.reader->symbol() < s.reader->symbol();
}

KlineCsvSource::~KlineCsvSource() {
  join();
}

std::vector<std::string> KlineCsvSource::symbols() const {
  std::vector<std::string> out;
  for (const auto& s : streams_)
    out.push_back(s.reader->symbol().str());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double KlineCsvSource::progress() const {
  if (total_bytes_ == 0) return 1.0;
  return static_cast<double>(consumed_bytes_.load(std::memory_order_relaxed)) /
         static_cast<double>(total_bytes_);
}

void KlineCsvSource::advance(Stream& s) {
  const auto before = s.reader->bytes_consumed();
  try {
    s.has = s.reader->next(s.current);
  } catch (const DataError&) {
    // Raised on the next call, so every good candle before the bad row is still published.
    s.has = false;
    pending_error_ = std::current_exception();
  }
  consumed_bytes_.fetch_add(s.reader->bytes_consumed() - before, std::memory_order_relaxed);
}

bool KlineCsvSource::next(Candle& out) {
  // Min-heap on (open time, symbol): candles of one instant come out by symbol name.
  auto later = [this](std::size_t a, std::size_t b) {
    const Candle& x = streams_[a].current;
    const Candle& y = streams_[b].current;
    if (x.open_time_ns != y.open_time_ns) return x.open_time_ns > y.open_time_ns;
    // Symbol order by a rank fixed at construction: no string compare per candle.
    if (streams_[a].symbol_rank != streams_[b].symbol_rank)
      return streams_[a].symbol_rank > streams_[b].symbol_rank;
    return a > b;
  };
  if (pending_error_) std::rethrow_exception(pending_error_);
  if (!primed_) {
    primed_ = true;
    for (std::size_t i = 0; i < streams_.size(); ++i) {
      advance(streams_[i]);
      if (streams_[i].has) heap_.push_back(i);
    }
    std::make_heap(heap_.begin(), heap_.end(), later);
    if (pending_error_) std::rethrow_exception(pending_error_);
  }
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), later);
  const std::size_t i = heap_.back();
  heap_.pop_back();
  Stream& s = streams_[i];
  out = s.current;

  // Two files of one symbol must not overlap: each candle exactly once, in order.
  std::int64_t& last = last_open_[s.symbol_slot];
  if (out.open_time_ns <= last)
    throw DataError(s.reader->path(), s.reader->line(),
                    fmt::format("{} candle at open time {} ns overlaps another file of the same "
                                "symbol",
                                out.symbol.view(), out.open_time_ns));
  last = out.open_time_ns;

  advance(s);
  if (s.has) {
    heap_.push_back(i);
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  return true;
}

}  // namespace tradebus
