#include "tradebus/persistence/event_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "tradebus/model/coarse_clock.hpp"
#include "tradebus/persistence/event_codec.hpp"

namespace tradebus {
namespace {

constexpr std::string_view kMagic = "TBJOURN1";
constexpr std::size_t kHeader = 8;              // u32 length + u32 crc
constexpr std::uint32_t kMaxRecord = 1u << 24;  // a record is a few hundred bytes
constexpr std::size_t kBufferLimit = 1u << 20;

std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}

std::uint32_t crc32c_table(const unsigned char* p, std::size_t n, std::uint32_t crc) {
  static const auto table = make_table();
  for (std::size_t i = 0; i < n; ++i)
    crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse(const unsigned char* p, std::size_t n,
                                                           std::uint32_t crc) {
  std::uint64_t c = crc;
  while (n >= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    c = __builtin_ia32_crc32di(c, v);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<std::uint32_t>(c);
  while (n--)
    c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

std::string segment_name(std::uint64_t index) {
  return fmt::format("events-{:08d}.tbj", index);
}

std::vector<std::pair<std::uint64_t, std::string>> list_segments(const std::string& dir) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    unsigned long long index = 0;
    if (name.size() == 19 && name.rfind("events-", 0) == 0 && name.substr(15) == ".tbj" &&
        std::sscanf(name.c_str() + 7, "%8llu", &index) == 1)
      out.emplace_back(index, entry.path().string());
  }
  if (ec) throw JournalError(fmt::format("{}: {}", dir, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t size) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
#if defined(__x86_64__)
  static const bool sse = __builtin_cpu_supports("sse4.2");
  if (sse) return ~crc32c_sse(p, size, ~0u);
#endif
  return ~crc32c_table(p, size, ~0u);
}

JournalWriter::JournalWriter(JournalOptions options) : options_(std::move(options)) {
  if (options_.dir.empty()) throw JournalError("journal directory is empty");
  if (options_.types.empty())
    type_mask_ = ~0u;
  else
    for (EventType t : options_.types)
      type_mask_ |= 1u << static_cast<unsigned>(t);
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) throw JournalError(fmt::format("journal {}: {}", options_.dir, ec.message()));
  const auto existing = list_segments(options_.dir);
  segment_index_ = existing.empty() ? 0 : existing.back().first;
  buffer_.reserve(kBufferLimit + 4096);
  open_segment();
  last_sync_ = coarse_monotonic_now();
}

JournalWriter::~JournalWriter() {
  try {
    close();
  } catch (const std::exception& e) {
    spdlog::error("journal: {}", e.what());
  }
}

void JournalWriter::open_segment() {
  if (fd_ >= 0) {
    write_out();
    if (options_.sync != JournalSync::none) ::fdatasync(fd_);
    ::close(fd_);
  }
  ++segment_index_;
  const std::string path =
      (std::filesystem::path(options_.dir) / segment_name(segment_index_)).string();
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) throw JournalError(fmt::format("journal {}: {}", path, std::strerror(errno)));
  buffer_.append(kMagic);
  segment_size_ = kMagic.size();
}

void JournalWriter::write_out() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw JournalError(
          fmt::format("journal {}: write failed: {}", options_.dir, std::strerror(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void JournalWriter::append(const Event& e) {
  if (fd_ < 0) throw JournalError("journal is closed");
  // Encoded straight into the write buffer behind a header patched afterwards: no copy.
  std::size_t start = buffer_.size();
  buffer_.append(kHeader, '\0');
  encode_event(e, buffer_);
  const std::size_t len = buffer_.size() - start - kHeader;
  if (segment_size_ + kHeader + len > options_.segment_bytes && segment_size_ > kMagic.size()) {
    record_.assign(buffer_, start, std::string::npos);
    buffer_.resize(start);
    open_segment();
    start = buffer_.size();
    buffer_.append(record_);
  }
  const auto len32 = static_cast<std::uint32_t>(len);
  const std::uint32_t crc = crc32c(buffer_.data() + start + kHeader, len);
  std::memcpy(buffer_.data() + start, &len32, 4);
  std::memcpy(buffer_.data() + start + 4, &crc, 4);
  segment_size_ += kHeader + len;
  ++records_;
  switch (options_.sync) {
    case JournalSync::every_record:
      flush(true);
      break;
    case JournalSync::batch:
      // A coarse clock (a few ns to read, ~4 ms resolution) is checked on every record, so a
      // trickle of live events reaches the disk within the interval as surely as a flood.
      if (coarse_monotonic_now() - last_sync_ >= options_.batch_interval)
        flush(true);
      else if (buffer_.size() >= kBufferLimit)
        write_out();
      break;
    case JournalSync::none:
      if (buffer_.size() >= kBufferLimit) write_out();
      break;
  }
}

void JournalWriter::flush(bool sync) {
  if (fd_ < 0) return;
  write_out();
  if (sync) {
    if (::fdatasync(fd_) != 0)
      throw JournalError(
          fmt::format("journal {}: fdatasync failed: {}", options_.dir, std::strerror(errno)));
    last_sync_ = coarse_monotonic_now();
  }
}

void JournalWriter::close() {
  if (fd_ < 0) return;
  const int fd = fd_;
  flush(options_.sync != JournalSync::none);
  fd_ = -1;
  if (::close(fd) != 0)
    throw JournalError(
        fmt::format("journal {}: close failed: {}", options_.dir, std::strerror(errno)));
}

void JournalRecorder::on_dispatch(const Event& e) {
  if (failed_ || !writer_.wants(e.type)) return;
  try {
    writer_.append(e);
  } catch (const std::exception& ex) {
    failed_ = true;
    spdlog::critical("journal stopped: {} (events after sequence {} are not journaled)", ex.what(),
                     e.sequence);
  }
}

JournalReader::JournalReader(const std::string& dir) {
  if (!std::filesystem::is_directory(dir))
    throw JournalError(fmt::format("{}: not a directory", dir));
  for (auto& [index, path] : list_segments(dir))
    segments_.push_back(std::move(path));
  if (segments_.empty()) throw JournalError(fmt::format("{}: no journal segments", dir));
}

bool JournalReader::load(std::size_t index) {
  std::ifstream in(segments_[index], std::ios::binary);
  if (!in) throw JournalError(fmt::format("{}: cannot open", segments_[index]));
  // In 64 KiB reads into a buffer sized up front: an istreambuf_iterator copy went a
  // character at a time. Reads on to the end even if a live writer grew the file meanwhile.
  data_.clear();
  std::error_code size_error;
  const auto size = std::filesystem::file_size(segments_[index], size_error);
  if (!size_error) data_.reserve(static_cast<std::size_t>(size));
  std::array<char, 1 << 16> chunk;
  while (in.read(chunk.data(), chunk.size()), in.gcount() > 0)
    data_.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw JournalError(fmt::format("{}: read error", segments_[index]));
  if (data_.size() < kMagic.size() || data_.compare(0, kMagic.size(), kMagic) != 0) {
    // A segment cut before its magic was complete holds nothing; only the last may be.
    if (index + 1 == segments_.size() && data_.size() < kMagic.size() &&
        kMagic.substr(0, data_.size()) == data_) {
      torn_ = data_.size();
      return false;
    }
    throw JournalError(fmt::format("{}: not a tradebus journal segment", segments_[index]));
  }
  pos_ = kMagic.size();
  return true;
}

bool JournalReader::next(Event& e) {
  while (true) {
    if (!loaded_) {
      if (current_ >= segments_.size()) return false;
      if (!load(current_)) return false;
      loaded_ = true;
    }
    const bool last = current_ + 1 == segments_.size();
    if (pos_ == data_.size()) {
      loaded_ = false;
      ++current_;
      continue;
    }
    const std::string& seg = segments_[current_];
    if (data_.size() - pos_ < kHeader) {
      if (last) return torn_ = data_.size() - pos_, false;
      throw JournalError(fmt::format("{}:{}: record header cut short", seg, pos_));
    }
    std::uint32_t len = 0, crc = 0;
    std::memcpy(&len, data_.data() + pos_, 4);
    std::memcpy(&crc, data_.data() + pos_ + 4, 4);
    if (len > kMaxRecord)
      throw JournalError(fmt::format("{}:{}: record length {} is not plausible", seg, pos_, len));
    if (data_.size() - pos_ - kHeader < len) {
      if (last) return torn_ = data_.size() - pos_, false;
      throw JournalError(fmt::format("{}:{}: record cut short", seg, pos_));
    }
    const char* payload = data_.data() + pos_ + kHeader;
    if (crc32c(payload, len) != crc)
      throw JournalError(fmt::format("{}:{}: checksum mismatch", seg, pos_));
    std::string error;
    if (!decode_event(std::string_view(payload, len), e, error))
      throw JournalError(fmt::format("{}:{}: {}", seg, pos_, error));
    pos_ += kHeader + len;
    return true;
  }
}

}  // namespace tradebus
