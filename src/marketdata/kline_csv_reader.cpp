#include "tradebus/marketdata/kline_csv_reader.hpp"
#include "tradebus/model/kline_interval.hpp"

#include <sys/stat.h>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace tradebus {
namespace {

constexpr std::size_t kChunk = 1 << 20;
constexpr std::array<const char*, 12> kColumns{"open_time",
                                               "open",
                                               "high",
                                               "low",
                                               "close",
                                               "volume",
                                               "close_time",
                                               "quote_volume",
                                               "trades",
                                               "taker_buy_base_volume",
                                               "taker_buy_quote_volume",
                                               "ignore"};

std::string basename_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The fast path for well-formed rows: one pass, no allocation. Anything unusual returns false
// and the careful path (parse_row) re-reads the row to say exactly what is wrong.
struct FastRow {
  const char* p;
  const char* end;

  // Eight ASCII digits at once (SWAR): a digit-by-digit loop is one multiply-add chain per
  // character, and a kline row has ~130 digits.
  bool eight_digits(std::uint64_t& out) const {
    if (end - p < 8) return false;
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    if (((v & 0xF0F0F0F0F0F0F0F0ULL) |
         (((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) != 0x3333333333333333ULL)
      return false;  // not all eight are '0'..'9'
    v = (v & 0x0F0F0F0F0F0F0F0FULL) * 2561 >> 8;
    v = (v & 0x00FF00FF00FF00FFULL) * 6553601 >> 16;
    out = (v & 0x0000FFFF0000FFFFULL) * 42949672960001ULL >> 32;
    return true;
  }

  // Digits into `v`; returns how many were read.
  long digits(std::uint64_t& v) {
    const char* start = p;
    std::uint64_t chunk;
    while (eight_digits(chunk)) {
      v = v * 100'000'000ULL + chunk;
      p += 8;
      if (p - start > 16) break;  // longer than any valid field: let the caller refuse it
    }
    while (p != end && static_cast<unsigned char>(*p - '0') < 10)
      v = v * 10 + static_cast<std::uint64_t>(*p++ - '0');
    return p - start;
  }

  bool uint_field(std::int64_t& out) {
    std::uint64_t v = 0;
    const char* start = p;
    digits(v);
    const auto n = p - start;
    if (n == 0 || n > 18) return false;
    out = static_cast<std::int64_t>(v);
    return sep();
  }

  bool decimal_field(Decimal& out) {
    std::uint64_t ip = 0;
    const auto idigits = digits(ip);
    if (idigits == 0 || idigits > 11) return false;
    std::uint64_t fp = 0;
    int fdigits = 0;
    if (p != end && *p == '.') {
      ++p;
      if (eight_digits(fp)) {  // Binance writes exactly eight places
        p += 8;
        fdigits = 8;
      }
      while (p != end && static_cast<unsigned char>(*p - '0') < 10) {
        if (fdigits == Decimal::kScale) {
          if (*p != '0') return false;
          ++p;
          continue;
        }
        fp = fp * 10 + static_cast<std::uint64_t>(*p++ - '0');
        ++fdigits;
      }
    }
    static constexpr std::uint64_t kPow10[] = {100000000, 10000000, 1000000, 100000, 10000,
                                               1000,      100,      10,      1};
    const std::uint64_t raw = ip * 100'000'000ULL + fp * kPow10[fdigits];  // < 1e19: no overflow
    if (raw > static_cast<std::uint64_t>(INT64_MAX)) return false;
    out = Decimal::from_raw(static_cast<std::int64_t>(raw));
    return sep();
  }

  bool sep() {
    if (p == end) return true;
    if (*p != ',') return false;
    ++p;
    return true;
  }
};

}  // namespace

std::string KlineCsvReader::symbol_from_path(const std::string& path) {
  const std::string base = basename_of(path);
  const auto dash = base.find('-');
  if (dash == std::string::npos || dash == 0) return {};
  std::string sym = base.substr(0, dash);
  for (char c : sym)
    if (!((c >= 'A' && c <= 'Z') || is_digit(c))) return {};
  return sym;
}

std::string KlineCsvReader::interval_from_path(const std::string& path) {
  const std::string base = basename_of(path);
  const auto a = base.find('-');
  if (a == std::string::npos) return {};
  const auto b = base.find('-', a + 1);
  if (b == std::string::npos) return {};
  const std::string token = base.substr(a + 1, b - a - 1);
  return interval_length_ms(token) ? token : std::string();
}

KlineCsvReader::KlineCsvReader(std::string path, Symbol symbol, Interval interval)
    : path_(std::move(path)), symbol_(symbol), interval_(interval), buf_(kChunk) {
  file_ = std::fopen(path_.c_str(), "rb");
  if (!file_) throw DataError(path_, 0, fmt::format("cannot open: {}", std::strerror(errno)));
  struct stat st {};
  if (::fstat(fileno(file_), &st) != 0 || S_ISDIR(st.st_mode)) {
    std::fclose(file_);
    file_ = nullptr;
    throw DataError(path_, 0, "cannot read: not a regular file");
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
  if (interval_.empty()) interval_ = Interval(interval_from_path(path_));
}

KlineCsvReader::~KlineCsvReader() {
  if (file_) std::fclose(file_);
}

void KlineCsvReader::fail(const std::string& message) const {
  throw DataError(path_, line_, message);
}

bool KlineCsvReader::read_line(std::string_view& line) {
  for (;;) {
    const char* start = buf_.data() + begin_;
    if (const void* nl = std::memchr(start, '\n', end_ - begin_)) {
      const auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
      line = std::string_view(start, len);
      begin_ += len + 1;
      consumed_ += len + 1;
      ++line_;
      return true;
    }
    if (eof_) {
      if (begin_ == end_) return false;
      line = std::string_view(start, end_ - begin_);
      consumed_ += end_ - begin_;
      begin_ = end_;
      ++line_;
      return true;
    }
    // Move the partial line to the front and read more.
    std::memmove(buf_.data(), start, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    if (end_ == buf_.size()) {
      ++line_;
      fail("line longer than 1 MiB");
    }
    const std::size_t n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, file_);
    if (n == 0) {
      if (std::ferror(file_)) fail(fmt::format("read error: {}", std::strerror(errno)));
      eof_ = true;
    }
    end_ += n;
  }
}

bool KlineCsvReader::next(Candle& out) {
  std::string_view line;
  for (;;) {
    if (!read_line(line)) return false;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
    if (line_ == 1 && !is_digit(line.front())) {
      // A header line: accepted once, at the top, when it has the 12 columns.
      std::size_t commas = 0;
      for (char c : line)
        commas += c == ',';
      if (commas != 11)
        fail(fmt::format("first line is neither a kline row nor a 12-column header: '{}'",
                         line.substr(0, 80)));
      had_header_ = true;
      continue;
    }
    if (!parse_row_fast(line, out)) parse_row(line, out);
    return true;
  }
}

bool KlineCsvReader::parse_row_fast(std::string_view line, Candle& out) {
  FastRow r{line.data(), line.data() + line.size()};
  std::int64_t open_raw, close_raw, ignore;
  if (!(r.uint_field(open_raw) && r.decimal_field(out.open) && r.decimal_field(out.high) &&
        r.decimal_field(out.low) && r.decimal_field(out.close) && r.decimal_field(out.volume) &&
        r.uint_field(close_raw) && r.decimal_field(out.quote_volume) &&
        r.uint_field(out.trade_count) && r.decimal_field(out.taker_buy_base_volume) &&
        r.decimal_field(out.taker_buy_quote_volume) && r.uint_field(ignore) && r.p == r.end))
    return false;
  const TimeUnit unit =
      open_raw >= 100'000'000'000'000 && open_raw < 100'000'000'000'000'000 ? TimeUnit::microseconds
      : open_raw >= 100'000'000'000 && open_raw < 100'000'000'000'000       ? TimeUnit::milliseconds
                                                                            : TimeUnit::unknown;
  if (unit == TimeUnit::unknown || (unit_ != TimeUnit::unknown && unit != unit_)) return false;
  unit_ = unit;
  // Constant limits: dividing by the run-time unit was an idiv per row.
  const bool ms = unit_ == TimeUnit::milliseconds;
  const std::int64_t to_ns = ms ? 1'000'000 : 1'000;
  const std::int64_t max_raw = ms ? INT64_MAX / 1'000'000 : INT64_MAX / 1'000;
  if (open_raw > max_raw || close_raw > max_raw) return false;
  out.symbol = symbol_;
  out.open_time_ns = open_raw * to_ns;
  out.close_time_ns = close_raw * to_ns;
  if (!out.open.is_positive() || !out.high.is_positive() || !out.low.is_positive() ||
      !out.close.is_positive() || out.high < out.low || out.close_time_ns < out.open_time_ns ||
      (has_prev_ && out.open_time_ns <= prev_open_ns_) || interval_.empty())
    return false;  // the careful path names the problem (or derives the interval)
  prev_open_ns_ = out.open_time_ns;
  has_prev_ = true;
  out.interval = interval_;
  return true;
}

void KlineCsvReader::parse_row(std::string_view line, Candle& out) {
  std::array<std::string_view, 12> f;
  std::size_t n = 0;
  std::size_t pos = 0;
  for (;;) {
    const auto comma = line.find(',', pos);
    const auto field =
        line.substr(pos, comma == std::string_view::npos ? line.size() - pos : comma - pos);
    if (n == f.size()) fail(fmt::format("expected 12 columns, found more"));
    f[n++] = field;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (n != 12) fail(fmt::format("expected 12 columns, found {}", n));

  auto integer = [&](std::size_t col) {
    std::int64_t v = 0;
    const auto s = f[col];
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 0)
      fail(fmt::format("column {} ({}): '{}' is not a non-negative integer", col + 1, kColumns[col],
                       s));
    return v;
  };
  auto decimal = [&](std::size_t col) {
    auto d = Decimal::parse(f[col]);
    if (!d)
      fail(fmt::format("column {} ({}): '{}' is not a decimal number", col + 1, kColumns[col],
                       f[col]));
    return *d;
  };

  const std::int64_t open_raw = integer(0);
  const std::int64_t close_raw = integer(6);
  TimeUnit unit;
  if (open_raw >= 100'000'000'000'000 && open_raw < 100'000'000'000'000'000)
    unit = TimeUnit::microseconds;
  else if (open_raw >= 100'000'000'000 && open_raw < 100'000'000'000'000)
    unit = TimeUnit::milliseconds;
  else
    fail(fmt::format("open time {} is neither milliseconds nor microseconds since 1970", open_raw));
  if (unit_ == TimeUnit::unknown)
    unit_ = unit;
  else if (unit != unit_)
    fail(fmt::format("open time {} changes the file's timestamp unit ({})", open_raw,
                     unit_ == TimeUnit::milliseconds ? "milliseconds" : "microseconds"));
  const std::int64_t to_ns = unit_ == TimeUnit::milliseconds ? 1'000'000 : 1'000;
  // Found by the fuzzer: a time past 2262 overflows nanoseconds in an int64.
  if (open_raw > INT64_MAX / to_ns || close_raw < 0 || close_raw > INT64_MAX / to_ns)
    fail(fmt::format("open time {} or close time {} is out of range (after the year 2262)",
                     open_raw, close_raw));

  out.symbol = symbol_;
  out.open_time_ns = open_raw * to_ns;
  out.close_time_ns = close_raw * to_ns;
  out.open = decimal(1);
  out.high = decimal(2);
  out.low = decimal(3);
  out.close = decimal(4);
  out.volume = decimal(5);
  out.quote_volume = decimal(7);
  out.trade_count = integer(8);
  out.taker_buy_base_volume = decimal(9);
  out.taker_buy_quote_volume = decimal(10);

  if (!out.open.is_positive() || !out.high.is_positive() || !out.low.is_positive() ||
      !out.close.is_positive())
    fail(fmt::format("negative or zero price (open {} high {} low {} close {})",
                     out.open.to_string(), out.high.to_string(), out.low.to_string(),
                     out.close.to_string()));
  if (out.high < out.low)
    fail(fmt::format("high {} is below low {}", out.high.to_string(), out.low.to_string()));
  if (out.volume.is_negative() || out.quote_volume.is_negative() ||
      out.taker_buy_base_volume.is_negative() || out.taker_buy_quote_volume.is_negative())
    fail("negative volume");
  if (out.close_time_ns < out.open_time_ns)
    fail(fmt::format("close time {} is before open time {}", close_raw, open_raw));
  if (has_prev_ && out.open_time_ns <= prev_open_ns_)
    fail(
        fmt::format("open time {} is not after the previous row's (time going backwards or "
                    "repeated)",
                    open_raw));
  prev_open_ns_ = out.open_time_ns;
  has_prev_ = true;

  if (interval_.empty()) {
    const std::int64_t len_ms = (out.close_time_ns - out.open_time_ns) / 1'000'000 + 1;
    const std::string_view name = interval_of_length_ms(len_ms);
    interval_ = Interval(name.empty() ? std::string_view("?") : name);
  }
  out.interval = interval_;
}

}  // namespace tradebus
