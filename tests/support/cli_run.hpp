// Runs the tradebus binary as a user would (stdout captured, stderr to a file) and reads fields
// of its one-line JSON output.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <regex>
#include <string>

#include "support/files.hpp"
#include "support/test_paths.hpp"

namespace tradebus::test {

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `command` through the shell, stdout captured, stderr to a file.
inline Run run_cli_command(const std::string& command) {
  static int calls = 0;
  const auto dir =
      scratch_dir("cli_io_" + std::to_string(::getpid()) + "_" + std::to_string(++calls));
  const std::string err_path = dir + "/stderr.txt";
  const std::string cmd = command + " 2>" + err_path;
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p))
    r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_file(err_path);
  return r;
}

inline Run run_cli(const std::string& args, const std::string& env = "") {
  return run_cli_command(env + std::string(TRADEBUS_BINARY) + " " + args);
}

// The raw text of a top-level JSON field.
inline std::string field(const std::string& json, const std::string& key) {
  const std::regex re("\"" + key + "\":(\"[^\"]*\"|\\{[^}]*\\}|[^,}]+)");
  std::smatch m;
  return std::regex_search(json, m, re) ? m[1].str() : std::string("<missing>");
}

}  // namespace tradebus::test
