// DataError: bad market data input, with the file and line it was found at.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace tradebus {

class DataError : public std::runtime_error {
 public:
  /// what() reads "<file>:<line>: <message>" (or "<file>: <message>" when line is 0).
  DataError(std::string file, std::uint64_t line, std::string message)
      : std::runtime_error(line ? file + ":" + std::to_string(line) + ": " + message
                                : file + ": " + message),
        file_(std::move(file)),
        line_(line) {}
  const std::string& file() const noexcept { return file_; }
  std::uint64_t line() const noexcept { return line_; }

 private:
  std::string file_;
  std::uint64_t line_;
};

}  // namespace tradebus
