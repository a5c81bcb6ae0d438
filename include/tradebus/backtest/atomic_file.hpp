// AtomicFile: writes a file under a temporary name and renames it into place on commit(), so a
// reader never sees half a report and a failed run leaves nothing behind.
#pragma once

#include <fstream>
#include <string>

namespace tradebus {

class AtomicFile {
 public:
  /// Creates the missing folders of `path` and opens "<path>.tmp-<pid>" for writing; throws
  /// std::runtime_error naming the path on failure.
  explicit AtomicFile(std::string path);
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ofstream& stream() { return out_; }
  /// Flushes, fsyncs and renames into place; throws std::runtime_error on any failure.
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string tmp_;
  std::ofstream out_;
  bool committed_ = false;
};

/// Writes `content` to `path` atomically (AtomicFile + commit).
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace tradebus
