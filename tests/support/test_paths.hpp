// Paths the tests use: the shared Binance data (may be absent: tests skip) and a scratch folder.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace tradebus::test {

inline std::string shared_data(const std::string& rel) {
  return std::string(TRADEBUS_SHARED_DATA) + "/" + rel;
}

/// The shared file's path, or an empty string when ../shared is not beside the checkout.
inline std::string shared_file_or_empty(const std::string& rel) {
  const auto p = shared_data(rel);
  return std::filesystem::exists(p) ? p : std::string();
}

#define TRADEBUS_REQUIRE_SHARED(var, rel)                                                   \
  const std::string var = ::tradebus::test::shared_file_or_empty(rel);                      \
  if (var.empty())                                                                          \
  GTEST_SKIP() << "shared Binance data not found at " << ::tradebus::test::shared_data(rel) \
               << " (../shared is absent in this checkout)"

/// A fresh empty folder for one test. ctest runs tests as parallel processes, and several
/// tests may use the same name (through a shared helper): the process id keeps them apart.
inline std::string scratch_dir(const std::string& name) {
  const auto d =
      std::filesystem::path(TRADEBUS_TEST_TMP) / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

}  // namespace tradebus::test
