// The state store on real SQLite files: what survives a reopen, the directory lock, group
// commit, and the engine's recovery against the persistent paper exchange after a "crash"
// (objects destroyed mid-run, as a killed process leaves its files).
#include "tradebus/persistence/order_outbox.hpp"

#include <sqlite3.h>

#include <climits>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/books.hpp"
#include "support/fake_market_candles.hpp"
#include "support/state_dir.hpp"
#include "support/test_paths.hpp"
#include "tradebus/engine/trading_engine.hpp"
#include "tradebus/execution/default_order_manager.hpp"
#include "tradebus/marketdata/candle_list_source.hpp"
#include "tradebus/persistence/persistent_paper_exchange.hpp"
#include "tradebus/strategies/sma_cross.hpp"

using namespace tradebus;
using namespace tradebus::literals;
using tradebus::test::expect_same_books;
using tradebus::test::expect_same_fill_books;

namespace {

using test::open_state;

Order market_order(const std::string& id, Side side = Side::buy, const char* qty = "0.5") {
  Order o;
  o.client_order_id = ClientOrderId(id);
  o.symbol = "BTCUSDT";
  o.strategy_id = "sma_cross";
  o.side = side;
  o.quantity = *Decimal::parse(qty);
  o.reference_price = "100"_d;
  o.created_ns = 1;
  return o;
}

Signal signal_at(std::int64_t t, Side side = Side::buy) {
  return Signal{"sma_cross", "BTCUSDT", side, "100"_d, 1.0, t, "test"};
}

Fill fill_of(const Order& o, std::uint64_t trade_id, bool complete) {
  return Fill{o.client_order_id, o.symbol, o.strategy_id, o.side,   "100"_d, o.quantity,
              "0.05"_d,          "USDT",   1'000,         trade_id, complete};
}

// A state directory holding one recorded order made from `signal`, as a process leaves it.
void record_one_order(const std::string& dir, const Order& order, Signal signal) {
  OrderOutbox box(open_state(dir));
  box.load();
  box.record_order(order, &signal);
  box.wait_durable();
}

// Plain SQL on the state database, as a damaged file or an older tradebus leaves it.
void edit_state(const std::string& dir, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/state.db").c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
}

std::string load_error(const std::string& dir) {
  try {
    OrderOutbox(open_state(dir)).load();
  } catch (const StateStoreError& e) {
    return e.what();
  }
  return "(loaded)";
}

// Engine wiring of `tradebus paper` with a state store, over `candles`.
struct PaperRun {
  std::shared_ptr<StateStore> store;
  std::shared_ptr<OrderOutbox> outbox;
  std::shared_ptr<Portfolio> portfolio = std::make_shared<Portfolio>("100000"_d);
  std::shared_ptr<PersistentPaperExchange> exchange;
  EngineOptions eo;
  std::unique_ptr<TradingEngine> engine;

  PaperRun(const std::string& dir, std::vector<Candle> candles, int fast = 2, int slow = 3,
           OrderOutboxOptions outbox_options = {}) {
    store = open_state(dir);
    outbox = std::make_shared<OrderOutbox>(store, outbox_options);
    exchange = std::make_shared<PersistentPaperExchange>(store);
    eo.handle_signals = false;
    eo.failed_orders_file.clear();
    eo.bus.pending_orders_file.clear();
    engine = std::make_unique<TradingEngine>(eo);
    OrderManagerOptions om;
    om.quantity = "0.5"_d;
    om.client_order_id_prefix = "t";
    engine->set_order_manager(std::make_shared<DefaultOrderManager>(om, portfolio));
    engine->set_exchange(exchange);
    engine->set_order_store(outbox);
    engine->set_strategy(std::make_shared<SmaCross>("sma_cross", fast, slow));
    engine->set_data_collector(std::make_shared<CandleListSource>(std::move(candles)));
  }
  void run() { ASSERT_EQ(engine->run(), ""); }
};

TEST(StateStore, OrdersAndFillsSurviveAReopen) {
  const auto dir = test::scratch_dir("outbox_reopen");
  const Order a = market_order("t-1"), b = market_order("t-7");
  {
    OrderOutbox box(open_state(dir));
    box.load();
    Signal sa = signal_at(10), sb = signal_at(20);
    box.record_order(a, &sa);
    Order sent = a;
    sent.status = OrderStatus::submitted;
    box.record_order(sent);
    box.record_fill(fill_of(a, 5, true));
    box.record_order(b, &sb);
    box.wait_durable();
  }
  OrderOutbox box(open_state(dir));
  const StoredOrders s = box.load();
  ASSERT_EQ(s.unfinished.size(), 1u);
  EXPECT_EQ(s.unfinished[0].order, b);
  EXPECT_GT(s.unfinished[0].recorded_ns, 0);
  ASSERT_EQ(s.fills.size(), 1u);
  EXPECT_EQ(s.fills[0], fill_of(a, 5, true));
  EXPECT_EQ(s.last_order_number, 7u);
  EXPECT_TRUE(box.has_order_for(signal_at(10)));
  EXPECT_TRUE(box.has_order_for(signal_at(20)));
  EXPECT_FALSE(box.has_order_for(signal_at(30)));
  const auto all = box.all_orders();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].status, OrderStatus::filled);
  EXPECT_EQ(all[0].filled_quantity, "0.5"_d);
}

// Signal keys are held inline, sized for the longest fields: a 31-character strategy id with
// slashes in it, a 23-character symbol and the most negative time all survive a reopen, and
// keys that differ in one field stay apart.
TEST(StateStore, TheLongestSignalKeysSurviveAReopen) {
  const auto dir = test::scratch_dir("outbox_long_keys");
  Signal longest = signal_at(INT64_MIN, Side::sell);
  longest.strategy_id = ShortId(std::string(15, 'a') + "/" + std::string(15, 'b'));
  longest.symbol = Symbol(std::string(23, 'Z'));
  const SignalKey key = signal_key(longest);
  EXPECT_EQ(key.size(), SignalKey::kMaxSize);
  EXPECT_EQ(key.view(), std::string(15, 'a') + "/" + std::string(15, 'b') + "/" +
                            std::string(23, 'Z') + "/-9223372036854775808/SELL");
  record_one_order(dir, market_order("t-1"), longest);
  OrderOutbox box(open_state(dir));
  box.load();
  EXPECT_TRUE(box.has_order_for(longest));
  Signal other = longest;
  other.direction = Side::buy;
  EXPECT_FALSE(box.has_order_for(other));
  other = longest;
  other.time_ns = INT64_MIN + 1;
  EXPECT_FALSE(box.has_order_for(other));
}

// A key longer than any signal makes cannot come from tradebus: the state is refused, naming
// the file and row, rather than loaded without it (its signal could then be ordered twice).
TEST(StateStore, AnOverlongSignalKeyIsAClearError) {
  const auto dir = test::scratch_dir("outbox_bad_key");
  record_one_order(dir, market_order("t-1"), signal_at(10));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/state.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, ("UPDATE orders SET signal_key = '" + std::string(100, 'x') + "'").c_str(),
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  OrderOutbox box(open_state(dir));
  try {
    box.load();
    ADD_FAILURE() << "no error";
  } catch (const StateStoreError& e) {
    EXPECT_NE(std::string(e.what()).find("orders row 1: signal key longer than 81"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("state.db"), std::string::npos) << e.what();
  }
}

TEST(StateStore, OneProcessPerDirectory) {
  const auto dir = test::scratch_dir("outbox_lock");
  auto first = open_state(dir);
  try {
    open_state(dir);
    FAIL() << "a second store opened the same directory";
  } catch (const StateStoreError& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another tradebus process"), std::string::npos)
        << e.what();
  }
  first.reset();
  EXPECT_NO_THROW(open_state(dir));  // released with the first
}

TEST(StateStore, RefusesANewerSchema) {
  const auto dir = test::scratch_dir("outbox_schema");
  open_state(dir).reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/state.db").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  try {
    open_state(dir);
    FAIL() << "opened a database from a newer schema";
  } catch (const StateStoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer tradebus (schema 99"), std::string::npos)
        << e.what();
  }
}

// A damaged state database stops the start with the file, table and row, not a crash.
TEST(StateStore, AnUnreadableRecordIsNamedByTableAndRow) {
  const auto dir = test::scratch_dir("outbox_unreadable");
  {
    OrderOutbox box(open_state(dir));
    box.load();
    const Order a = market_order("t-1"), b = market_order("t-2");
    box.record_order(a);
    box.record_fill(fill_of(a, 1, true));
    box.record_order(b);
    box.wait_durable();
  }
  edit_state(dir, "UPDATE orders SET body=x'00ff' WHERE id=2");
  EXPECT_NE(load_error(dir).find("state.db orders row 2: unreadable order record"),
            std::string::npos)
      << load_error(dir);
  // Row 2 readable again; the fill row now holds an order.
  edit_state(dir, "UPDATE orders SET body=(SELECT body FROM orders WHERE id=1) WHERE id=2");
  edit_state(dir, "UPDATE fills SET body=(SELECT body FROM orders WHERE id=1) WHERE id=1");
  EXPECT_NE(load_error(dir).find("state.db fills row 1: unreadable fill record: not a fill"),
            std::string::npos)
      << load_error(dir);
}

TEST(StateStore, GroupsRecordsIntoFewCommits) {
  const auto dir = test::scratch_dir("outbox_group");
  auto store = open_state(dir);
  OrderOutbox box(store);
  box.load();
  const int n = 20'000;
  for (int i = 1; i <= n; ++i) {
    const Order o = market_order("g-" + std::to_string(i));
    box.record_order(o);
    box.record_fill(fill_of(o, static_cast<std::uint64_t>(i), true));
  }
  box.wait_durable();
  const auto st = store->stats();
  EXPECT_EQ(st.records, 2u * n);
  // One commit per record would be ~20 us each; the writer stages in ~1 us, so records pile up
  // while a commit runs and the next commit takes them all.
  EXPECT_LT(st.commits * 4, st.records) << st.commits << " commits";
  EXPECT_EQ(box.all_fills().size(), static_cast<std::size_t>(n));
}

// The committer writes a group's rows many to a statement: every row lands, exactly and in
// the order it was staged, whether it falls in a full statement or in the remainder.
TEST(StateStore, EveryRowOfALargeGroupIsWrittenExactlyAndInOrder) {
  const auto dir = test::scratch_dir("outbox_many_rows");
  const int n = 1'003;  // not a multiple of the rows per statement
  std::vector<Order> orders;
  std::vector<Fill> fills;
  {
    OrderOutbox box(open_state(dir));
    box.load();
    for (int i = 1; i <= n; ++i) {
      Order o = market_order("m-" + std::to_string(i), i % 2 == 0 ? Side::sell : Side::buy);
      o.quantity = Decimal::from_raw(i);
      box.record_order(o);
      if (i % 3 == 0) {  // a later state of the same order, often in the same group
        o.status = OrderStatus::submitted;
        box.record_order(o);
      }
      orders.push_back(o);
      Fill f = fill_of(o, static_cast<std::uint64_t>(i), i % 3 != 0);
      f.price = Decimal::from_raw(1'000'000 + i);
      box.record_fill(f);
      fills.push_back(f);
    }
    box.wait_durable();
  }
  OrderOutbox box(open_state(dir));
  box.load();
  const auto stored_orders = box.all_orders();
  ASSERT_EQ(stored_orders.size(), orders.size());
  for (std::size_t i = 0; i < orders.size(); ++i) {
    EXPECT_EQ(stored_orders[i].client_order_id, orders[i].client_order_id) << i;
    EXPECT_EQ(stored_orders[i].quantity, orders[i].quantity) << i;
    EXPECT_EQ(stored_orders[i].side, orders[i].side) << i;
    EXPECT_EQ(stored_orders[i].filled_quantity, orders[i].quantity) << i;
    // The fill completed every order but each third, which stays submitted and part-filled.
    EXPECT_EQ(stored_orders[i].status,
              (i + 1) % 3 == 0 ? OrderStatus::partially_filled : OrderStatus::filled)
        << i;
  }
  EXPECT_EQ(box.all_fills(), fills);
}

// The same for the paper exchange's ledger: many orders filled and many left open in one
// candle, all of them known again after a reopen.
TEST(StateStore, ThePaperLedgerKeepsEveryOrderOfALargeGroup) {
  const auto dir = test::scratch_dir("paper_many_rows");
  const int filled = 37, open = 21;  // neither a multiple of the rows per statement
  struct Ignore : ExecutionReports {
    void on_fill(const Fill&) override {}
    void on_rejected(const Order&, std::string_view) override {}
    void on_canceled(const Order&, std::string_view) override {}
  } ignore;
  std::vector<Order> orders;
  {
    auto store = open_state(dir);
    PersistentPaperExchange paper(store);
    paper.attach(ignore);
    for (int i = 1; i <= filled + open; ++i) {
      Order o = market_order("p-" + std::to_string(i));
      if (i > filled) {  // a limit far below the market: stays open
        o.type = OrderType::limit;
        o.limit_price = "1"_d;
      }
      paper.submit(o);
      orders.push_back(o);
    }
    paper.on_candle(test::trending_candles("BTCUSDT", 1, 100)[0]);
    store->wait_durable();
  }
  auto store = open_state(dir);
  PersistentPaperExchange paper(store);
  paper.attach(ignore);
  EXPECT_EQ(paper.open_orders().size(), static_cast<std::size_t>(open));
  for (int i = 0; i < filled + open; ++i) {
    const OrderLookup r = paper.look_up(orders[static_cast<std::size_t>(i)]);
    ASSERT_EQ(r.outcome, OrderLookup::Outcome::found) << orders[i].client_order_id.view();
    if (i < filled) {
      EXPECT_EQ(r.status, OrderStatus::filled) << i;
      ASSERT_EQ(r.fills.size(), 1u) << i;
      EXPECT_EQ(r.fills[0].client_order_id, orders[i].client_order_id);
      EXPECT_EQ(r.fills[0].quantity, "0.5"_d);
    } else {
      EXPECT_EQ(r.status, OrderStatus::acknowledged) << i;
      EXPECT_TRUE(r.fills.empty()) << i;
    }
  }
}

TEST(Recovery, AnOrderRecordedButNeverSentIsSentOnceWithItsId) {
  const auto dir = test::scratch_dir("recovery_resubmit");
  // The process died before the order reached the exchange.
  record_one_order(dir, market_order("t-3"), signal_at(10));
  PaperRun run(dir, test::trending_candles("BTCUSDT", 3, 100), 2, 100);  // no signal from these
  run.run();
  const RecoveryReport r = run.engine->recovery();
  EXPECT_EQ(r.unfinished, 1u);
  EXPECT_EQ(r.resubmitted, 1u);
  EXPECT_EQ(r.adopted, 0u);
  EXPECT_EQ(run.exchange->fills(), 1u);  // filled on the first candle
  EXPECT_EQ(run.portfolio->quantity("BTCUSDT"), "0.5"_d);
  const auto fills = run.outbox->all_fills();
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].client_order_id.view(), "t-3");
  // New orders continue after the recorded numbers.
  EXPECT_EQ(run.outbox->all_orders().size(), 1u);
}

TEST(Recovery, AFillTheExchangeMadeButTheEngineLostIsAdopted) {
  const auto dir = test::scratch_dir("recovery_adopt");
  const Order o = market_order("t-1");
  {
    auto store = open_state(dir);
    OrderOutbox box(store);
    box.load();
    Signal s = signal_at(10);
    box.record_order(o, &s);
    // The paper exchange accepted and filled it, and died before the engine recorded the fill.
    struct Ignore : ExecutionReports {
      void on_fill(const Fill&) override {}
      void on_rejected(const Order&, std::string_view) override {}
      void on_canceled(const Order&, std::string_view) override {}
    } ignore;
    PersistentPaperExchange paper(store);
    paper.attach(ignore);
    paper.submit(o);
    paper.on_candle(test::trending_candles("BTCUSDT", 1, 100)[0]);
    store->wait_durable();
  }
  {
    PaperRun run(dir, {});
    run.run();
    const RecoveryReport r = run.engine->recovery();
    EXPECT_EQ(r.adopted, 1u);
    EXPECT_EQ(r.resubmitted, 0u);
    EXPECT_EQ(r.fills_recovered, 1u);
    EXPECT_EQ(run.exchange->fills(), 0u);  // nothing was sent again
    EXPECT_EQ(run.portfolio->quantity("BTCUSDT"), "0.5"_d);
  }
  PaperRun again(dir, {});
  again.run();
  EXPECT_EQ(again.engine->recovery().unfinished, 0u);
  EXPECT_EQ(again.engine->recovery().fills_replayed, 1u);
  EXPECT_EQ(again.portfolio->quantity("BTCUSDT"), "0.5"_d);
}

std::pair<std::int64_t, std::int64_t> orders_and_distinct_signals(const std::string& dir) {
  sqlite3* db = nullptr;
  sqlite3_open_v2((dir + "/state.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*), COUNT(DISTINCT signal_key) FROM orders", -1, &st,
                     nullptr);
  std::pair<std::int64_t, std::int64_t> r{-1, -1};
  if (sqlite3_step(st) == SQLITE_ROW)
    r = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1)};
  sqlite3_finalize(st);
  sqlite3_close(db);
  return r;
}

TEST(Recovery, SignalsSeenBeforeMakeNoSecondOrder) {
  const auto dir = test::scratch_dir("recovery_repeat");
  const auto candles = test::zigzag_candles("BTCUSDT", 60);
  std::uint64_t first_orders = 0;
  {
    PaperRun run(dir, candles, 1, 2);
    run.run();
    first_orders = run.engine->counters().orders;
  }
  ASSERT_GT(first_orders, 10u);
  {
    PaperRun again(dir, candles, 1, 2);  // the same candles again, as if re-sent after a restart
    again.run();
    EXPECT_GE(again.engine->counters().repeated_signals, first_orders);
  }
  const auto [orders, distinct] = orders_and_distinct_signals(dir);
  EXPECT_GE(orders, static_cast<std::int64_t>(first_orders));
  EXPECT_EQ(orders, distinct) << "a signal made two orders";
}

// --- bounded restart (docs/adr/0003-bounded-restart.md) ---------------------------------

// The books a full replay of every recorded fill makes, as the restart did before snapshots.
Portfolio replayed(const OrderOutbox& box, Money cash) {
  Portfolio p(cash);
  for (const Fill& f : box.all_fills())
    p.apply(f);
  return p;
}

// A state directory holding order t-1 and `fills` fills of it (trade ids 1, 2, ...), the last
// one completing it or not.
void record_fills_of_one_order(const std::string& dir, int fills, bool last_completes,
                               OrderOutboxOptions options) {
  OrderOutbox box(open_state(dir), options);
  box.load();
  const Order a = market_order("t-1");
  box.record_order(a);
  for (int i = 1; i <= fills; ++i)
    box.record_fill(fill_of(a, static_cast<std::uint64_t>(i), last_completes && i == fills));
  box.wait_durable();
}

TEST(BoundedRestart, ARestartReadsTheNewestSnapshotAndTheFillsAfterIt) {
  const auto dir = test::scratch_dir("restart_snapshot");
  OrderOutboxOptions every4;
  every4.fills_per_snapshot = 4;
  const Order big = market_order("t-99");  // the largest number, recorded first
  const Order open = market_order("t-3");  // partly filled before the first snapshot, still open
  {
    OrderOutbox box(open_state(dir), every4);
    box.load();
    box.record_order(big);
    box.record_fill(fill_of(big, 1, true));  // fill 1
    box.record_order(open);
    box.record_fill(Fill{open.client_order_id, open.symbol, open.strategy_id, open.side, "101"_d,
                         "0.2"_d, "0.01"_d, "USDT", 2'000, 2, false});  // fill 2
    for (int i = 4; i <= 12; ++i) {  // fills 3..11: buys and sells of 0.5
      const Order o = market_order("t-" + std::to_string(i), i % 2 ? Side::sell : Side::buy);
      box.record_order(o);
      box.record_fill(fill_of(o, 100 + i, true));
    }
    box.record_fill(Fill{open.client_order_id, open.symbol, open.strategy_id, open.side, "99"_d,
                         "0.1"_d, "0.01"_d, "USDT", 3'000, 3, false});      // fill 12
    box.record_fill(fill_of(market_order("t-12", Side::sell), 200, true));  // fill 13
    box.wait_durable();
  }
  {
    OrderOutbox box(open_state(dir), every4);
    const StoredOrders s = box.load();
    // Snapshots after fills 4, 8 and 12: the restart applies only fill 13.
    EXPECT_FALSE(s.portfolio_snapshot.empty());
    ASSERT_EQ(s.fills.size(), 1u);
    EXPECT_EQ(s.fills[0].trade_id, 200u);
    ASSERT_EQ(s.unfinished.size(), 1u);
    EXPECT_EQ(s.unfinished[0].order.client_order_id.view(), "t-3");
    // Both of the open order's fills, though the snapshot covers them.
    ASSERT_EQ(s.unfinished_fills.size(), 2u);
    EXPECT_EQ(s.unfinished_fills[0].trade_id, 2u);
    EXPECT_EQ(s.unfinished_fills[1].trade_id, 3u);
    EXPECT_EQ(s.last_order_number, 99u);

    auto portfolio = std::make_shared<Portfolio>("1000"_d);
    OrderManagerOptions om;
    om.client_order_id_prefix = "t";
    DefaultOrderManager manager(om, portfolio);
    manager.resume(s);
    expect_same_books(*portfolio, replayed(box, "1000"_d));
    EXPECT_EQ(portfolio->quantity("BTCUSDT"), "0.8"_d);  // 0.5 + 0.3 + 5 x 0.5 - 5 x 0.5

    // Fill numbers continue after a restart: fills 14-17, a snapshot at 16.
    const Order next = market_order("t-100");
    box.record_order(next);
    for (int i = 0; i < 4; ++i)
      box.record_fill(fill_of(next, 300 + i, false));
    box.wait_durable();
  }
  OrderOutbox box(open_state(dir), every4);
  const StoredOrders s = box.load();
  ASSERT_EQ(s.fills.size(), 1u);
  EXPECT_EQ(s.fills[0].trade_id, 303u);
  EXPECT_EQ(s.unfinished.size(), 2u);
  // t-3's two fills, listed by the snapshot at 16 though the previous start read them; t-100's
  // three before it and one after.
  std::vector<std::uint64_t> trades;
  for (const Fill& f : s.unfinished_fills)
    trades.push_back(f.trade_id);
  EXPECT_EQ(trades, (std::vector<std::uint64_t>{2, 3, 300, 301, 302, 303}));
  EXPECT_EQ(s.last_order_number, 100u);
  Portfolio p("1000"_d);
  p.restore(s.portfolio_snapshot);
  p.apply(s.fills[0]);
  expect_same_books(p, replayed(box, "1000"_d));
}

TEST(BoundedRestart, AnEngineResumedFromSnapshotsKeepsItsBooks) {
  const auto dir = test::scratch_dir("restart_snapshot_engine");
  OrderOutboxOptions every3;
  every3.fills_per_snapshot = 3;
  const auto candles = test::zigzag_candles("BTCUSDT", 80);
  {
    PaperRun run(dir, std::vector<Candle>(candles.begin(), candles.begin() + 40), 1, 2, every3);
    run.run();
    ASSERT_GT(run.outbox->all_fills().size(), 6u);
  }
  {
    PaperRun run(dir, std::vector<Candle>(candles.begin() + 40, candles.end()), 1, 2, every3);
    run.run();
    const RecoveryReport r = run.engine->recovery();
    EXPECT_TRUE(r.from_snapshot);
    EXPECT_LT(r.fills_replayed, 3u);
    expect_same_fill_books(*run.portfolio, replayed(*run.outbox, "100000"_d));
  }
  // And the next restart, from the snapshots the second run wrote.
  PaperRun again(dir, {}, 1, 2, every3);
  again.run();
  EXPECT_TRUE(again.engine->recovery().from_snapshot);
  expect_same_fill_books(*again.portfolio, replayed(*again.outbox, "100000"_d));
}

// A state directory from before snapshots (schema 1) restarts by replaying every fill, gains
// the snapshot table, and takes its first snapshot after the next N fills.
TEST(BoundedRestart, AVersion1StateGainsSnapshots) {
  const auto dir = test::scratch_dir("restart_schema1");
  OrderOutboxOptions every2;
  every2.fills_per_snapshot = 2;
  record_fills_of_one_order(dir, 5, false, every2);
  edit_state(dir, "DROP TABLE portfolio_snapshots; PRAGMA user_version=1");
  const Order a = market_order("t-1");
  {
    OrderOutbox box(open_state(dir), every2);
    const StoredOrders s = box.load();
    EXPECT_TRUE(s.portfolio_snapshot.empty());
    EXPECT_EQ(s.fills.size(), 5u);
    EXPECT_EQ(s.unfinished_fills.size(), 5u);
    box.record_fill(fill_of(a, 6, true));  // fill 6: a snapshot
    box.wait_durable();
  }
  OrderOutbox box(open_state(dir), every2);
  const StoredOrders s = box.load();
  EXPECT_FALSE(s.portfolio_snapshot.empty());
  EXPECT_TRUE(s.fills.empty());
  EXPECT_TRUE(s.unfinished.empty());
  Portfolio p("10"_d);
  p.restore(s.portfolio_snapshot);
  expect_same_books(p, replayed(box, "10"_d));
  EXPECT_EQ(p.quantity("BTCUSDT"), "3"_d);
}

TEST(BoundedRestart, AnUnreadableSnapshotIsNamedByItsRow) {
  const auto dir = test::scratch_dir("restart_bad_snapshot");
  OrderOutboxOptions every2;
  every2.fills_per_snapshot = 2;
  record_fills_of_one_order(dir, 2, true, every2);  // a snapshot after fill 2
  edit_state(dir, "UPDATE portfolio_snapshots SET body=x'54425046' WHERE last_fill_id=2");
  EXPECT_NE(load_error(dir).find("state.db portfolio_snapshots row 2: portfolio snapshot: ends "
                                 "early at byte 4 of 4"),
            std::string::npos)
      << load_error(dir);
}

// Snapshots are of books that every recorded fill fits. A fill that does not (a sell of more
// than is held, which only an exchange out of step with the engine reports) ends them: a
// restart then reads every fill, so the books it rebuilds are the ones the fills say.
TEST(BoundedRestart, AFillTheBooksCannotTakeEndsTheSnapshots) {
  const auto dir = test::scratch_dir("restart_books_off");
  OrderOutboxOptions every2;
  every2.fills_per_snapshot = 2;
  {
    OrderOutbox box(open_state(dir), every2);
    box.load();
    const Order stray = market_order("t-1", Side::sell);  // nothing held to sell
    box.record_order(stray);
    box.record_fill(fill_of(stray, 1, true));  // fill 1: does not fit
    for (int i = 2; i <= 5; ++i) {             // fills 2-5, snapshots due at 2 and 4
      const Order o = market_order("t-" + std::to_string(i));
      box.record_order(o);
      box.record_fill(fill_of(o, static_cast<std::uint64_t>(i), true));
    }
    box.wait_durable();
  }
  OrderOutbox box(open_state(dir), every2);
  const StoredOrders s = box.load();
  EXPECT_TRUE(s.portfolio_snapshot.empty());
  std::vector<std::uint64_t> trades;
  for (const Fill& f : s.fills)
    trades.push_back(f.trade_id);
  EXPECT_EQ(trades, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
}

// An open order's fill that its snapshot lists must be there: without it recovery would take
// the fill from the exchange again, on top of the books that already hold it.
TEST(BoundedRestart, ASnapshotListingAMissingFillIsAClearError) {
  const auto dir = test::scratch_dir("restart_missing_fill");
  OrderOutboxOptions every2;
  every2.fills_per_snapshot = 2;
  record_fills_of_one_order(dir, 2, false, every2);  // a snapshot listing fills 1 and 2
  edit_state(dir, "DELETE FROM fills WHERE id=1");
  EXPECT_NE(load_error(dir).find("portfolio_snapshots row 2 lists fill 1, which is not among "
                                 "its fills"),
            std::string::npos)
      << load_error(dir);
}

}  // namespace
