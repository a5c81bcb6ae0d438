#include "tradebus/backtest/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace tradebus {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  // `--report reports/run.html` in a fresh checkout: make the folder rather than fail.
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  std::error_code ec;  // an existing folder is no error; a file in the way is
  if (!parent.empty() && !std::filesystem::create_directories(parent, ec) && ec)
    throw std::runtime_error("cannot write " + path_ + ": cannot create folder " + parent.string() +
                             ": " + ec.message());
  tmp_ = path_ + ".tmp-" + std::to_string(::getpid());
  out_.open(tmp_, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!out_) throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    std::remove(tmp_.c_str());
  }
}

void AtomicFile::commit() {
  out_.flush();
  if (!out_) throw std::runtime_error("cannot write " + path_ + ": write failed");
  out_.close();
  // fsync so that the rename never exposes an empty file after a crash.
  const int fd = ::open(tmp_.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
    throw std::runtime_error("cannot rename " + tmp_ + " to " + path_ + ": " +
                             std::strerror(errno));
  committed_ = true;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  AtomicFile f(path);
  f.stream() << content;
  f.commit();
}

}  // namespace tradebus
