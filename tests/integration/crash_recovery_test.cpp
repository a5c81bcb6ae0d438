// The durability promise, tested the hard way: a live run against the fake Binance (and a paper
// run) is killed with SIGKILL at random moments, restarted each time on the same state
// directory, and finally stopped with SIGTERM. The exchange's own record must then show every
// signal made at most one order, no order the engine recorded as acknowledged is missing, and
// positions, cash and fees equal fills (the books restart from snapshots every 3 fills). Seeds are
// printed; TRADEBUS_CRASH_SEED replays one, and TRADEBUS_CRASH_KILLS changes the number of kills
// (default 50 live, 20 paper).
#include <sqlite3.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "fake_binance.hpp"
#include "support/child_process.hpp"
#include "support/cli_run.hpp"
#include "support/fake_market.hpp"
#include "support/fake_market_candles.hpp"
#include "support/test_paths.hpp"
#include "tradebus/model/decimal.hpp"

using namespace tradebus;

namespace {

const std::vector<std::string> kRecoverySymbols{"BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"};
constexpr const char* kCapital = "10000";

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// One row of the engine's outbox.
struct OutboxOrder {
  std::string status;
  std::string signal_key;
};

struct Outbox {
  std::map<std::string, OutboxOrder> orders;  // by client order id
  std::int64_t rows = 0;
  std::set<std::string> signal_keys;
  std::map<std::string, Decimal> position;  // from the engine's recorded fills
  std::map<std::string, int> fills_per_order;
  Decimal cash = Decimal::from_string(kCapital);  // what the recorded fills leave of it
  Decimal fees;
  std::int64_t snapshots = 0;
};

// Reads the state database the way an auditor would: plain SQL on the file.
Outbox read_outbox(const std::string& dir) {
  Outbox out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2((dir + "/state.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT client_order_id, status, IFNULL(signal_key,'') FROM orders", -1,
                     &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const std::string id = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    const std::string key = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
    out.orders[id] = {reinterpret_cast<const char*>(sqlite3_column_text(st, 1)), key};
    ++out.rows;
    if (!key.empty()) out.signal_keys.insert(key);
  }
  sqlite3_finalize(st);
  sqlite3_prepare_v2(
      db, "SELECT client_order_id, symbol, side, quantity_e8, price_e8, fee_e8 FROM fills", -1, &st,
      nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const std::string id = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    const std::string sym = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    const std::string side = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
    const Decimal q = Decimal::from_raw(sqlite3_column_int64(st, 3));
    const Decimal notional = Decimal::mul(Decimal::from_raw(sqlite3_column_int64(st, 4)), q);
    const Decimal fee = Decimal::from_raw(sqlite3_column_int64(st, 5));
    out.position[sym] += side == "BUY" ? q : -q;
    out.cash += side == "BUY" ? -(notional + fee) : notional - fee;
    out.fees += fee;
    ++out.fills_per_order[id];
  }
  sqlite3_finalize(st);
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM portfolio_snapshots", -1, &st, nullptr);
  if (sqlite3_step(st) == SQLITE_ROW) out.snapshots = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// What the exchange did, by client order id, with how many placements each id got.
struct ExchangeRecord {
  std::map<std::string, int> placements;
  std::map<std::string, int> fills_per_order;
  std::map<std::string, std::string> status;
  std::map<std::string, Decimal> position;
};

ExchangeRecord fake_record(const fakes::FakeBinance& fake) {
  ExchangeRecord r;
  for (const auto& o : fake.orders()) {
    ++r.placements[o.client_order_id];
    r.status[o.client_order_id] = o.status;
    const Decimal q = Decimal::from_string(o.executed_qty);
    r.position[o.symbol] += o.side == "BUY" ? q : -q;
  }
  return r;
}

// The paper exchange's own tables in the same state directory.
ExchangeRecord paper_record(const std::string& dir) {
  ExchangeRecord r;
  sqlite3* db = nullptr;
  sqlite3_open_v2((dir + "/state.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT client_order_id, status FROM paper_orders", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const std::string id = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    ++r.placements[id];
    r.status[id] = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
  }
  sqlite3_finalize(st);
  // An order accepted and filled within one commit has fill rows and no order row (its status
  // is FILLED; PersistentPaperExchange::look_up reads it so).
  sqlite3_prepare_v2(db, "SELECT client_order_id FROM paper_fills", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const std::string id = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    ++r.fills_per_order[id];
    if (!r.placements.count(id)) {
      r.placements[id] = 1;
      r.status[id] = "FILLED";
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return r;
}

std::string symbol_list() {
  std::string s;
  for (const auto& sym : kRecoverySymbols)
    s += (s.empty() ? "" : ",") + sym;
  return s;
}

std::vector<std::string> run_args(bool live, const fakes::FakeBinance& fake,
                                  const std::string& state) {
  std::vector<std::string> a{"--log-level", "info"};
  a.push_back(live ? "live" : "paper");
  if (live)
    for (const char* x : {"--confirm-live", "--recv-window-ms", "300", "--timeout-ms", "2000"})
      a.emplace_back(x);
  for (const std::string& x : std::vector<std::string>{
           "--symbols", symbol_list(), "--fast", "1", "--slow", "2", "--quantity", "0.1",
           "--capital", kCapital, "--fills-per-snapshot", "3", "--json", "--state-dir", state,
           "--ws-url", fake.ws_url(), "--rest-url", fake.rest_url()})
    a.push_back(x);
  return a;
}

const std::vector<std::string> kKeys{"BINANCE_API_KEY=fake-api-key",
                                     "BINANCE_API_SECRET=fake-api-secret"};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1))
    ++n;
  return n;
}

void crash_and_check(bool live, std::uint64_t kills) {
  const std::uint64_t seed = env_or("TRADEBUS_CRASH_SEED", std::random_device{}());
  std::cout << "crash test seed " << seed << " (TRADEBUS_CRASH_SEED=" << seed
            << " replays the kill times)" << std::endl;
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  // Most kills land while trading (a random time after the engine started); some during
  // start-up and recovery (a random time after the process started).
  std::uniform_int_distribution<int> after_ms(5, 400);
  std::bernoulli_distribution during_startup(0.2);

  fakes::FakeBinanceOptions fo;
  fo.candle_period = std::chrono::milliseconds(4);
  fo.updates_per_candle = 0;
  fakes::FakeBinance fake(fo);
  for (const auto& s : kRecoverySymbols)
    fake.add_symbol(test::fake_symbol(s, test::zigzag_candles(s, 200'000)));
  fake.start();
  // A few ms per answer, like a nearby exchange: an order is in flight most of the time.
  fake.set_response_delay(std::chrono::milliseconds(2));
  const auto dir = test::scratch_dir(live ? "crash_live" : "crash_paper");
  const std::string state = dir + "/state";
  const auto args = run_args(live, fake, state);

  std::size_t recovered = 0, resubmitted = 0;
  std::uint64_t traded_runs = 0;
  for (std::uint64_t i = 0; i < kills; ++i) {
    const auto before = fake.orders().size();
    test::ChildProcess child(TRADEBUS_BINARY, args, dir + "/out.txt", dir + "/err.txt", kKeys);
    ASSERT_TRUE(child.started());
    const bool early = during_startup(rng);
    const int wait_ms = after_ms(rng);
    if (!early) {
      ASSERT_TRUE(test::eventually([&] {
        return child.err().find("starting TradingEngine") != std::string::npos;
      })) << child.err();
    }
    if (child.wait_for(std::chrono::milliseconds(wait_ms))) {
      FAIL() << "run " << i << " exited by itself (" << child.wait() << "): " << child.err();
    }
    child.signal(SIGKILL);
    EXPECT_EQ(child.wait(), 128 + SIGKILL);
    const std::string err = child.err();
    recovered += count(err, "adopted from the exchange");
    resubmitted += count(err, "never reached the exchange: resubmitted");
    if (live && fake.orders().size() > before) ++traded_runs;
  }
  test::ChildProcess last(TRADEBUS_BINARY, args, dir + "/out.txt", dir + "/err.txt", kKeys);
  ASSERT_FALSE(last.wait_for(std::chrono::milliseconds(800))) << last.err();
  last.signal(SIGTERM);
  ASSERT_TRUE(last.wait_for(std::chrono::seconds(20))) << "SIGTERM did not stop the run";
  ASSERT_EQ(last.wait(), 0) << last.err();
  const std::string summary = last.out();

  const Outbox box = read_outbox(state);
  const ExchangeRecord ex = live ? fake_record(fake) : paper_record(state);
  std::cout << "kills " << kills << ", orders at the exchange " << ex.placements.size()
            << ", outbox rows " << box.rows << ", adopted in recovery " << recovered
            << ", resubmitted in recovery " << resubmitted << std::endl;
  ASSERT_GT(ex.placements.size(), 50u) << "too few orders to say anything";
  EXPECT_GT(recovered + resubmitted, 0u) << "no kill landed while an order was in flight";

  // Every signal made at most one order: one outbox row per signal, one placement per id.
  EXPECT_EQ(box.signal_keys.size(), static_cast<std::size_t>(box.rows));
  for (const auto& [id, n] : ex.placements)
    EXPECT_EQ(n, 1) << id << " was placed " << n << " times";
  // No orphan: every order the exchange has is one the engine recorded first.
  for (const auto& [id, n] : ex.placements)
    EXPECT_TRUE(box.orders.count(id)) << id << " is at the exchange but not in the outbox";
  // No order acknowledged to the engine is missing at the exchange; none is left open.
  for (const auto& [id, o] : box.orders) {
    if (o.status == "ACKNOWLEDGED" || o.status == "PARTIALLY_FILLED" || o.status == "FILLED") {
      EXPECT_TRUE(ex.placements.count(id)) << id << " (" << o.status << ") missing at exchange";
    }
    const bool final = o.status == "FILLED" || o.status == "REJECTED" || o.status == "CANCELED" ||
                       o.status == "EXPIRED";
    if (live) {
      EXPECT_TRUE(final) << id << " still " << o.status << " after a clean stop";
    } else if (!final) {  // the paper exchange fills on the next candle: it may still be open
      EXPECT_EQ(ex.status.count(id) ? ex.status.at(id) : "<absent>", o.status) << id;
    }
    if (o.status == "FILLED") {
      EXPECT_EQ(box.fills_per_order.count(id), 1u) << id;
    }
  }
  for (const auto& [id, n] : box.fills_per_order)
    EXPECT_EQ(n, 1) << id << " has " << n << " recorded fills (market orders fill once)";
  // Positions equal fills, on both sides, and in the run's own summary.
  if (!live) {
    EXPECT_EQ(box.fills_per_order, ex.fills_per_order);
  }
  if (live) {
    for (const auto& s : kRecoverySymbols)
      EXPECT_EQ(box.position.count(s) ? box.position.at(s) : Decimal{},
                ex.position.count(s) ? ex.position.at(s) : Decimal{})
          << s;
  }
  std::string positions;
  for (const auto& [sym, q] : box.position)
    positions += (positions.empty() ? "" : ",") + ("\"" + sym + "\":" + q.to_string());
  EXPECT_EQ(test::field(summary, "positions"), "{" + positions + "}") << summary;
  // The books were rebuilt from snapshots (taken every 3 fills) and the fills after them, at
  // restarts that came at random points: cash and fees must still be what every fill makes.
  EXPECT_GT(box.snapshots, 0);
  EXPECT_EQ(test::field(summary, "from_snapshot"), "true") << summary;
  EXPECT_EQ(test::field(summary, "cash"), box.cash.to_string()) << summary;
  EXPECT_EQ(test::field(summary, "fees"), box.fees.to_string()) << summary;
}

TEST(CrashRecovery, LiveRunKilledAtRandomLosesAndDoublesNoOrder) {
  crash_and_check(true, env_or("TRADEBUS_CRASH_KILLS", 50));
}

TEST(CrashRecovery, PaperRunKilledAtRandomResumesItsBooks) {
  crash_and_check(false, std::max<std::uint64_t>(10, env_or("TRADEBUS_CRASH_KILLS", 50) * 2 / 5));
}

}  // namespace
