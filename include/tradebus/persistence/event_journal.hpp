// EventJournal: every event (or chosen types) appended to segment files in a directory, for
// audit and replay (seed §11.1). A segment starts with an 8-byte magic; each record is
// [u32 length][u32 CRC-32C of the payload][payload = encode_event()], little-endian.
// A crash can leave a torn last record: readers stop before it and say so. A checksum or
// decoding failure anywhere else is an error naming the segment and byte offset.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tradebus/bus/event_bus.hpp"
#include "tradebus/model/event.hpp"

namespace tradebus {

class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// When appended records reach the disk.
enum class JournalSync {
  none,          ///< Written to the OS when the buffer fills and at close; never fsync'ed.
  batch,         ///< Written and fdatasync'ed every `batch_interval` and at close.
  every_record,  ///< Written and fdatasync'ed after each record (slow; for audits).
};

struct JournalOptions {
  std::string dir;
  std::uint64_t segment_bytes = 64ull << 20;
  JournalSync sync = JournalSync::batch;
  std::chrono::milliseconds batch_interval{100};
  std::vector<EventType> types;  ///< Empty: every type.
};

class JournalWriter {
 public:
  /// Creates `dir` if needed and starts a new segment after any existing ones. Throws
  /// JournalError naming the path when it cannot.
  explicit JournalWriter(JournalOptions options);
  ~JournalWriter();  ///< close(), logging (not throwing) a failure.
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  bool wants(EventType t) const noexcept { return type_mask_ & (1u << static_cast<unsigned>(t)); }
  /// Appends one record; throws JournalError on an I/O failure (disk full, read-only).
  void append(const Event& e);
  /// Writes buffered records to the OS and, with `sync`, to the disk.
  void flush(bool sync);
  void close();
  std::uint64_t records() const noexcept { return records_; }

 private:
  void open_segment();
  void write_out();

  JournalOptions options_;
  unsigned type_mask_ = 0;
  int fd_ = -1;
  std::uint64_t segment_index_ = 0;
  std::uint64_t segment_size_ = 0;
  std::string buffer_;
  std::string record_;
  std::uint64_t records_ = 0;
  std::chrono::nanoseconds last_sync_{0};
};

/// Journals what the bus dispatches, in dispatch order, from the loop thread. A write failure
/// is logged as critical once and journaling stops (failed() turns true); trading goes on.
class JournalRecorder final : public BusObserver {
 public:
  explicit JournalRecorder(JournalOptions options) : writer_(std::move(options)) {}
  void on_dispatch(const Event& e) override;
  bool failed() const noexcept { return failed_; }
  JournalWriter& writer() noexcept { return writer_; }

 private:
  JournalWriter writer_;
  bool failed_ = false;
};

class JournalReader {
 public:
  /// Lists the segments of `dir`; throws JournalError when it is not a journal directory.
  explicit JournalReader(const std::string& dir);
  /// The next event, false at the end (or before a torn last record). Throws JournalError
  /// "segment:offset: what" for a damaged record.
  bool next(Event& e);
  /// Bytes of an incomplete record at the end of the last segment (a crash mid-write).
  std::uint64_t torn_tail_bytes() const noexcept { return torn_; }
  const std::vector<std::string>& segments() const noexcept { return segments_; }

 private:
  bool load(std::size_t index);

  std::vector<std::string> segments_;
  std::size_t current_ = 0;
  std::string data_;
  std::size_t pos_ = 0;
  bool loaded_ = false;
  std::uint64_t torn_ = 0;
};

/// CRC-32C (Castagnoli) of `data`: SSE4.2 when the CPU has it, a table otherwise.
std::uint32_t crc32c(const void* data, std::size_t size) noexcept;

}  // namespace tradebus
