// Writing small input files for tests.
#pragma once

#include <fstream>
#include <string>

namespace tradebus::test {

inline std::string write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// One data-dump row (milliseconds) with the given minute and prices.
inline std::string kline_row(long long minute, const std::string& o, const std::string& h,
                             const std::string& l, const std::string& c,
                             long long base_ms = 1577836800000LL) {
  const long long open = base_ms + minute * 60000;
  return std::to_string(open) + "," + o + "," + h + "," + l + "," + c + ",1.5," +
         std::to_string(open + 59999) + ",100.25,10,0.5,50.1,0\n";
}

}  // namespace tradebus::test
