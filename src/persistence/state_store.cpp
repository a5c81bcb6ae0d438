#include "tradebus/persistence/state_store.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "state_store_impl.hpp"
#include "tradebus/persistence/event_codec.hpp"

namespace tradebus {
namespace {

// 2: portfolio snapshots (docs/adr/0003-bounded-restart.md). A version 1 database gains the
// table when opened, and restarts replay every fill until its first snapshot is written.
constexpr int kSchemaVersion = 2;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS orders(
  id INTEGER PRIMARY KEY,
  client_order_id TEXT NOT NULL,
  signal_key TEXT,
  status TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  quantity_e8 INTEGER NOT NULL,
  filled_e8 INTEGER NOT NULL,
  recorded_ns INTEGER NOT NULL,
  updated_ns INTEGER NOT NULL,
  body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS fills(
  id INTEGER PRIMARY KEY,
  client_order_id TEXT NOT NULL,
  trade_id INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  price_e8 INTEGER NOT NULL,
  quantity_e8 INTEGER NOT NULL,
  fee_e8 INTEGER NOT NULL,
  fee_asset TEXT NOT NULL,
  time_ns INTEGER NOT NULL,
  body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS portfolio_snapshots(
  last_fill_id INTEGER PRIMARY KEY,
  recorded_ns INTEGER NOT NULL,
  open_order_fill_ids BLOB NOT NULL,
  body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS paper_orders(
  client_order_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  body BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS paper_fills(
  client_order_id TEXT NOT NULL,
  trade_id INTEGER NOT NULL,
  body BLOB NOT NULL,
  PRIMARY KEY(client_order_id, trade_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dead_letters(
  id INTEGER PRIMARY KEY,
  recorded_ns INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  handler TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'new',
  event BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
)sql";

std::string errno_text() {
  return std::strerror(errno);
}

// One process per state directory: two engines on one outbox would each resubmit the other's
// orders. flock() is released by the kernel when the process dies, even by SIGKILL.
int lock_directory(const std::filesystem::path& dir) {
  const std::string path = (dir / "LOCK").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw StateStoreError(fmt::format("{}: cannot open: {}", path, errno_text()));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {};
    const auto n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    throw StateStoreError(
        fmt::format("state directory {} is in use by another tradebus process (pid {})",
                    dir.string(), n > 0 ? std::string(pid, strcspn(pid, "\n")) : "unknown"));
  }
  const std::string me = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0) {
    // The lock holds regardless; the pid is only for the message above.
  }
  return fd;
}

}  // namespace

Durability parse_durability(std::string_view t) {
  if (t == "process") return Durability::process;
  if (t == "power") return Durability::power;
  throw std::invalid_argument(fmt::format("durability must be 'process' or 'power', got '{}'", t));
}

std::string_view to_string(Durability d) noexcept {
  return d == Durability::power ? "power" : "process";
}

std::int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {
template <class T>
bool decode_payload_of(std::string_view blob, T& out, std::string& error, const char* not_it) {
  Event e;
  if (!decode_event(blob, e, error)) {
    if (error.empty()) error = not_it;
    return false;
  }
  const T* p = e.get_if<T>();
  if (!p) {
    error = not_it;
    return false;
  }
  out = *p;
  return true;
}
}  // namespace

bool try_decode(std::string_view blob, Order& out, std::string& error) {
  return decode_payload_of(blob, out, error, "not an order");
}
bool try_decode(std::string_view blob, Fill& out, std::string& error) {
  return decode_payload_of(blob, out, error, "not a fill");
}

StateStore::StateStore(StateStoreOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.options = std::move(options);
  const auto& dir = m.options.dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw StateStoreError(
        fmt::format("state directory {}: cannot create: {}", dir.string(), ec.message()));
  if (::access(dir.c_str(), W_OK) != 0)
    throw StateStoreError(
        fmt::format("state directory {} is not writable: {}", dir.string(), errno_text()));
  // SQLite's allocation statistics take a global mutex on every malloc; we never read them.
  static const int no_memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)no_memstatus;
  // A write past a file-size limit must fail as an error we report, not kill the process.
  ::signal(SIGXFSZ, SIG_IGN);
  m.lock_fd = lock_directory(dir);
  try {
    m.db = std::make_unique<sqlite::Db>((dir / "state.db").string(), true);
    // Exclusive locking: the directory lock already keeps other processes out, and without
    // shared-memory locking a commit costs fewer system calls.
    m.db->exec("PRAGMA locking_mode=EXCLUSIVE");
    m.db->exec("PRAGMA journal_mode=WAL");
    // A page cache that holds a large group without spilling (64 MiB), and checkpoints (which
    // fsync) every 16 MiB of log rather than every 4 MiB.
    m.db->exec("PRAGMA cache_size=-65536");
    m.db->exec("PRAGMA wal_autocheckpoint=4096");
    m.db->exec(m.options.durability == Durability::power ? "PRAGMA synchronous=FULL"
                                                         : "PRAGMA synchronous=NORMAL");
    {
      sqlite::Statement v(*m.db, "PRAGMA user_version");
      v.step();
      const auto version = v.int64(0);
      if (version > kSchemaVersion)
        throw StateStoreError(
            fmt::format("{}: written by a newer tradebus (schema {}, this build reads {})",
                        m.db->path(), version, kSchemaVersion));
    }
    m.db->exec(kSchema);
    m.db->exec(fmt::format("PRAGMA user_version={}", kSchemaVersion).c_str());
  } catch (...) {
    ::close(m.lock_fd);
    throw;
  }
  m.committer = std::thread([&m] { m.run_committer(); });
}

StateStore::~StateStore() {
  Impl& m = *impl_;
  {
    std::lock_guard lk(m.mu);
    m.stopping = true;
  }
  m.work_cv.notify_all();
  if (m.committer.joinable()) m.committer.join();
  if (m.lock_fd >= 0) ::close(m.lock_fd);
}

const std::filesystem::path& StateStore::dir() const noexcept {
  return impl_->options.dir;
}
Durability StateStore::durability() const noexcept {
  return impl_->options.durability;
}

void StateStore::wait_durable() {
  Impl& m = *impl_;
  std::unique_lock lk(m.mu);
  const auto target = m.staged_seq;
  m.durable_cv.wait(lk, [&] { return m.durable_seq >= target || !m.failed.empty(); });
  if (m.durable_seq < target) throw StateStoreError(m.failed);
}

std::string StateStore::failure() const {
  std::lock_guard lk(impl_->mu);
  return impl_->failed;
}

StateStoreStats StateStore::stats() const {
  std::lock_guard lk(impl_->mu);
  return impl_->stats;
}

std::optional<std::string> StateStore::setting(const std::string& key) const {
  Impl& m = *impl_;
  {
    std::lock_guard lk(m.mu);
    for (auto it = m.staged.settings.rbegin(); it != m.staged.settings.rend(); ++it)
      if (it->first == key) return it->second;
  }
  std::lock_guard dl(m.db_mu);
  sqlite::Statement q(*m.db, "SELECT value FROM settings WHERE key=?");
  q.bind(1, key);
  if (!q.step()) return std::nullopt;
  return std::string(q.text(0));
}

void StateStore::put_setting(const std::string& key, const std::string& value) {
  impl_->stage([&](StagedRecords& s) { s.settings.emplace_back(key, value); });
}

void StateStore::Impl::run_committer() {
  std::unique_lock lk(mu);
  while (true) {
    committer_idle = true;
    work_cv.wait(lk, [&] { return stopping || !staged.empty(); });
    committer_idle = false;
    if (staged.empty()) break;  // stopping, nothing left
    StagedRecords batch = std::move(staged);
    staged = StagedRecords{};
    const std::uint64_t upto = staged_seq;
    lk.unlock();
    std::string error;
    try {
      std::lock_guard dl(db_mu);
      commit(batch);
    } catch (const std::exception& e) {
      error = e.what();
    }
    lk.lock();
    if (!error.empty()) {
      failed = error;
      spdlog::critical("state store failed: {}", error);
      durable_cv.notify_all();
      break;  // nothing more can be made durable; writers see `failed`
    }
    durable_seq = upto;
    ++stats.commits;
    stats.records += batch.count;
    stats.largest_group = std::max<std::uint64_t>(stats.largest_group, batch.count);
    durable_cv.notify_all();
  }
}

void StateStore::Impl::commit(StagedRecords& b) {
  prepared(st_begin, "BEGIN").run();
  try {
    if (!b.orders.empty()) {
      const auto now = wall_clock_ns();
      std::vector<const OrderRow*> rows;
      rows.reserve(b.orders.size());
      for (const auto& [id, row] : b.orders)
        rows.push_back(&row);
      std::sort(rows.begin(), rows.end(), [](auto* a, auto* c) { return a->id < c->id; });
      insert_rows(ins_order,
                  "INSERT INTO orders(id,client_order_id,signal_key,status,symbol,side,"
                  "quantity_e8,filled_e8,recorded_ns,updated_ns,body)",
                  11,
                  "ON CONFLICT(id) DO UPDATE SET status=excluded.status, "
                  "filled_e8=excluded.filled_e8, updated_ns=excluded.updated_ns, "
                  "body=excluded.body",
                  rows, [&](sqlite::Statement& st, int p, const OrderRow* r, std::string& body) {
                    const Order& o = r->order;
                    st.bind(p, r->id).bind(p + 1, o.client_order_id.view());
                    if (r->signal_key.empty())
                      st.bind_null(p + 2);
                    else
                      st.bind(p + 2, r->signal_key.view());
                    st.bind(p + 3, to_string(o.status))
                        .bind(p + 4, o.symbol.view())
                        .bind(p + 5, to_string(o.side))
                        .bind(p + 6, o.quantity.raw())
                        .bind(p + 7, o.filled_quantity.raw())
                        .bind(p + 8, r->recorded_ns)
                        .bind(p + 9, now)
                        .bind_blob(p + 10, encoded(o, body));
                  });
    }
    if (!b.fills.empty()) {
      insert_rows(ins_fill,
                  "INSERT INTO fills(id,client_order_id,trade_id,symbol,side,price_e8,"
                  "quantity_e8,fee_e8,fee_asset,time_ns,body)",
                  11, "", b.fills,
                  [&](sqlite::Statement& st, int p, const FillRow& row, std::string& body) {
                    const Fill& f = row.fill;
                    st.bind(p++, row.id);
                    st.bind(p, f.client_order_id.view())
                        .bind(p + 1, static_cast<std::int64_t>(f.trade_id))
                        .bind(p + 2, f.symbol.view())
                        .bind(p + 3, to_string(f.side))
                        .bind(p + 4, f.price.raw())
                        .bind(p + 5, f.quantity.raw())
                        .bind(p + 6, f.fee.raw())
                        .bind(p + 7, f.fee_asset.view())
                        .bind(p + 8, f.time_ns)
                        .bind_blob(p + 9, encoded(f, body));
                  });
    }
    if (!b.snapshots.empty()) {
      sqlite::Statement& ins =
          prepared(st_snapshot,
                   "INSERT OR REPLACE INTO portfolio_snapshots(last_fill_id,recorded_ns,"
                   "open_order_fill_ids,body) VALUES(?,?,?,?)");
      for (const SnapshotRow& r : b.snapshots) {
        ins.bind(1, r.last_fill_id)
            .bind(2, r.recorded_ns)
            .bind_blob(3, r.open_order_fill_ids)
            .bind_blob(4, r.body);
        ins.run();
      }
    }
    if (!b.paper_orders.empty()) {
      insert_rows(
          ins_paper_order, "INSERT INTO paper_orders(client_order_id,status,body)", 3,
          "ON CONFLICT(client_order_id) DO UPDATE SET status=excluded.status, "
          "body=excluded.body",
          b.paper_orders, [&](sqlite::Statement& st, int p, const auto& entry, std::string& body) {
            const auto& [id, o] = entry;
            st.bind(p, id).bind(p + 1, to_string(o.status)).bind_blob(p + 2, encoded(o, body));
          });
    }
    if (!b.paper_fills.empty()) {
      insert_rows(ins_paper_fill, "INSERT INTO paper_fills(client_order_id,trade_id,body)", 3, "",
                  b.paper_fills,
                  [&](sqlite::Statement& st, int p, const Fill& f, std::string& body) {
                    st.bind(p, f.client_order_id.view())
                        .bind(p + 1, static_cast<std::int64_t>(f.trade_id))
                        .bind_blob(p + 2, encoded(f, body));
                  });
    }
    if (!b.dead_letters.empty()) {
      sqlite::Statement& ins =
          prepared(st_dead_letter,
                   "INSERT INTO dead_letters(recorded_ns,event_type,handler,error,"
                   "attempts,event) VALUES(?,?,?,?,?,?)");
      for (const DeadLetterRow& d : b.dead_letters) {
        std::string body;
        encode_event(d.event, body);
        ins.bind(1, d.recorded_ns)
            .bind(2, to_string(d.event.type))
            .bind(3, d.handler)
            .bind(4, d.error)
            .bind(5, d.attempts)
            .bind_blob(6, body);
        ins.run();
      }
    }
    if (!b.settings.empty()) {
      sqlite::Statement& up =
          prepared(st_setting, "INSERT OR REPLACE INTO settings(key,value) VALUES(?,?)");
      for (const auto& [k, v] : b.settings) {
        up.bind(1, k).bind(2, v);
        up.run();
      }
    }
    prepared(st_commit, "COMMIT").run();
  } catch (...) {
    sqlite3_exec(db->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace tradebus
