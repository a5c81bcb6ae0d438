// StateStore internals shared by the outbox, the paper ledger and the dead-letter store.
#pragma once

#include <array>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "sqlite.hpp"
#include "tradebus/engine/order_store.hpp"
#include "tradebus/model/event.hpp"
#include "tradebus/persistence/event_codec.hpp"
#include "tradebus/persistence/state_store.hpp"

namespace tradebus {

struct OrderRow {
  std::int64_t id = 0;
  Order order;
  SignalKey signal_key;  // empty: the order came from no signal
  std::int64_t recorded_ns = 0;
};

struct FillRow {
  std::int64_t id = 0;  // given by the outbox, so a snapshot can name the last fill it covers
  Fill fill;
};

// The books after fills 1..last_fill_id (Portfolio::snapshot()), and the ids of the fills so
// far of the orders open then (int64 each, little-endian): an order still open at a restart was
// open at every snapshot after its first fill, so these and the fills after the snapshot are
// all of its fills, found without an index on fills.
struct SnapshotRow {
  std::int64_t last_fill_id = 0;
  std::int64_t recorded_ns = 0;
  std::string open_order_fill_ids;
  std::string body;
};

struct DeadLetterRow {
  std::int64_t recorded_ns = 0;
  std::string handler;
  std::string error;
  int attempts = 0;
  Event event;
};

// What writers staged since the last commit. Orders are coalesced (only the latest state of
// each is written: the states in between are never visible outside one transaction anyway).
struct StagedRecords {
  std::unordered_map<std::int64_t, OrderRow> orders;
  std::vector<FillRow> fills;
  std::vector<SnapshotRow> snapshots;
  std::unordered_map<std::string, Order> paper_orders;
  std::vector<Fill> paper_fills;
  std::vector<DeadLetterRow> dead_letters;
  std::vector<std::pair<std::string, std::string>> settings;
  std::uint64_t count = 0;

  bool empty() const { return count == 0; }
};

struct StateStore::Impl {
  StateStoreOptions options;
  int lock_fd = -1;
  std::unique_ptr<sqlite::Db> db;
  mutable std::mutex db_mu;  // the connection: committer or a reader, one at a time
  // The committer's statements, prepared on first use and kept.
  std::unique_ptr<sqlite::Statement> st_begin, st_commit, st_dead_letter, st_setting, st_snapshot;

  /// Encodes an order or fill record into `buffer`.
  template <class T>
  static std::string_view encoded(const T& payload, std::string& buffer);

  sqlite::Statement& prepared(std::unique_ptr<sqlite::Statement>& slot, const char* sql) {
    if (!slot) slot = std::make_unique<sqlite::Statement>(*db, sql);
    return *slot;
  }

  /// An INSERT of one row and the same INSERT of kRows rows in one statement: SQLite's work per
  /// statement (step, reset, opening cursors, clearing bindings) is then paid once per chunk.
  struct RowsInsert {
    static constexpr int kRows = 16;
    std::string one_sql, many_sql;  // kept: a Statement keeps its SQL text for errors
    std::unique_ptr<sqlite::Statement> one, many;
    std::array<std::string, kRows> bodies;  // bound, not copied
  };
  RowsInsert ins_order, ins_fill, ins_paper_order, ins_paper_fill;

  /// Writes `rows` through `ins` (prepared on first use from `head`, `columns` placeholders a
  /// row and `tail`): full chunks in one statement each, the rest a row at a time.
  /// `bind(statement, first_parameter, row, body_buffer)` binds one row's columns.
  template <class Rows, class Bind>
  void insert_rows(RowsInsert& ins, const char* head, int columns, const char* tail,
                   const Rows& rows, Bind&& bind);

  mutable std::mutex mu;
  std::condition_variable work_cv;
  std::condition_variable durable_cv;
  StagedRecords staged;
  std::uint64_t staged_seq = 0;   // records staged so far
  std::uint64_t durable_seq = 0;  // records committed so far
  std::string failed;
  bool stopping = false;
  bool committer_idle = false;  // waiting for work: only then is a wake-up needed
  StateStoreStats stats;
  std::thread committer;

  /// Runs `fn(staged)` under the staging lock and wakes the committer; throws StateStoreError
  /// once the store failed.
  template <class F>
  void stage(F&& fn) {
    bool wake = false;
    {
      std::lock_guard lk(mu);
      if (!failed.empty()) throw StateStoreError(failed);
      fn(staged);
      ++staged.count;
      ++staged_seq;
      wake = committer_idle;
    }
    if (wake) work_cv.notify_one();  // a busy committer takes this record with its next group
  }

  void run_committer();
  void commit(StagedRecords& batch);
};

template <class T>
std::string_view StateStore::Impl::encoded(const T& payload, std::string& buffer) {
  buffer.clear();
  encode_event(Event(std::is_same_v<T, Order> ? EventType::order_created : EventType::order_filled,
                     payload, 0, "store"),
               buffer);
  return buffer;
}

template <class Rows, class Bind>
void StateStore::Impl::insert_rows(RowsInsert& ins, const char* head, int columns, const char* tail,
                                   const Rows& rows, Bind&& bind) {
  if (!ins.one) {
    auto values = [&](int n) {
      std::string v;
      for (int r = 0; r < n; ++r) {
        v += r == 0 ? "(" : ",(";
        for (int c = 0; c < columns; ++c)
          v += c == 0 ? "?" : ",?";
        v += ')';
      }
      return v;
    };
    ins.one_sql = fmt::format("{} VALUES{} {}", head, values(1), tail);
    ins.many_sql = fmt::format("{} VALUES{} {}", head, values(RowsInsert::kRows), tail);
    ins.one = std::make_unique<sqlite::Statement>(*db, ins.one_sql.c_str());
    ins.many = std::make_unique<sqlite::Statement>(*db, ins.many_sql.c_str());
  }
  auto it = rows.begin();
  for (std::size_t left = rows.size(); left != 0;) {
    const bool chunk = left >= static_cast<std::size_t>(RowsInsert::kRows);
    sqlite::Statement& st = chunk ? *ins.many : *ins.one;
    const int n = chunk ? RowsInsert::kRows : 1;
    for (int r = 0; r < n; ++r, ++it)
      bind(st, r * columns + 1, *it, ins.bodies[static_cast<std::size_t>(r)]);
    st.run();
    left -= static_cast<std::size_t>(n);
  }
}

/// Wall-clock nanoseconds, for "recorded at" columns.
std::int64_t wall_clock_ns();
/// Decodes a stored order or fill; false with `error` set when the record is unreadable.
bool try_decode(std::string_view blob, Order& out, std::string& error);
bool try_decode(std::string_view blob, Fill& out, std::string& error);

/// As try_decode, throwing StateStoreError that names the record by `where()`. `where` is
/// called only for an unreadable record, so loading a long history formats nothing per row.
template <class T, class Where>
T decode_record(std::string_view blob, Where&& where) {
  T out;
  std::string error;
  if (!try_decode(blob, out, error))
    throw StateStoreError(fmt::format("{}: unreadable {} record: {}", where(),
                                      std::is_same_v<T, Order> ? "order" : "fill", error));
  return out;
}

}  // namespace tradebus
