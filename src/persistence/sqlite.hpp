// Thin RAII over the SQLite C API: a connection and prepared statements that throw
// StateStoreError naming the database file and SQLite's message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "tradebus/persistence/state_store.hpp"

namespace tradebus::sqlite {

class Db {
 public:
  Db() = default;
  /// Opens (creating when `create`) the database at `path`.
  Db(const std::string& path, bool create);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql);
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  /// Throws StateStoreError for result `rc` of what `doing`.
  [[noreturn]] void fail(int rc, std::string_view doing) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement(Db& db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::int64_t v);
  /// Text and blobs are not copied: keep them alive until the statement has been stepped.
  Statement& bind(int i, std::string_view text);
  Statement& bind_blob(int i, std::string_view bytes);
  Statement& bind_null(int i);
  /// Steps once: true while rows come, false when done.
  bool step();
  /// Runs to completion and resets (for writes).
  void run();
  void reset();

  std::int64_t int64(int col) const;
  std::string_view text(int col) const;
  std::string_view blob(int col) const;
  bool is_null(int col) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
  const char* sql_;
};

}  // namespace tradebus::sqlite
