#include "tradebus/persistence/dead_letter_store.hpp"

#include <condition_variable>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "state_store_impl.hpp"
#include "tradebus/persistence/event_codec.hpp"

namespace tradebus {

DeadLetterStore::DeadLetterStore(std::shared_ptr<StateStore> store) : store_(std::move(store)) {
  if (!store_) throw std::invalid_argument("DeadLetterStore: null state store");
}

void DeadLetterStore::on_dead_letter(const Event& e, std::string_view handler,
                                     std::string_view what, int attempts) {
  try {
    store_->impl().stage([&](StagedRecords& s) {
      s.dead_letters.push_back(
          DeadLetterRow{wall_clock_ns(), std::string(handler), std::string(what), attempts, e});
    });
  } catch (const StateStoreError& ex) {
    // Observers must not throw; the store failure itself stops trading elsewhere.
    spdlog::critical("dead letter for handler '{}' not stored: {}", handler, ex.what());
  }
}

std::vector<DeadLetter> DeadLetterStore::list() const {
  store_->wait_durable();
  StateStore::Impl& m = store_->impl();
  std::lock_guard dl(m.db_mu);
  std::vector<DeadLetter> out;
  sqlite::Statement q(*m.db,
                      "SELECT id, recorded_ns, handler, error, attempts, state, event FROM "
                      "dead_letters ORDER BY id");
  while (q.step()) {
    DeadLetter d;
    d.id = q.int64(0);
    d.recorded_ns = q.int64(1);
    d.handler = q.text(2);
    d.error = q.text(3);
    d.attempts = static_cast<int>(q.int64(4));
    d.state = q.text(5);
    std::string error;
    if (!decode_event(q.blob(6), d.event, error))
      throw StateStoreError(
          fmt::format("{} dead_letters row {}: unreadable event: {}", m.db->path(), d.id, error));
    out.push_back(std::move(d));
  }
  return out;
}

bool DeadLetterStore::mark_for_retry(std::int64_t id) {
  store_->wait_durable();
  StateStore::Impl& m = store_->impl();
  std::lock_guard dl(m.db_mu);
  sqlite::Statement u(*m.db, "UPDATE dead_letters SET state='retry' WHERE id=?");
  u.bind(1, id).run();
  return sqlite3_changes(m.db->handle()) > 0;
}

bool DeadLetterStore::drop(std::int64_t id) {
  store_->wait_durable();
  StateStore::Impl& m = store_->impl();
  std::lock_guard dl(m.db_mu);
  sqlite::Statement d(*m.db, "DELETE FROM dead_letters WHERE id=?");
  d.bind(1, id).run();
  return sqlite3_changes(m.db->handle()) > 0;
}

DeadLetterRetry DeadLetterStore::retry_marked(EventBus& bus, std::chrono::milliseconds timeout) {
  DeadLetterRetry result;
  std::vector<DeadLetter> marked;
  for (auto& d : list())
    if (d.state == "retry") marked.push_back(std::move(d));
  if (marked.empty()) return result;

  struct Outcome {
    std::int64_t id;
    bool ok;
    std::string error;
  };
  // Shared with the callbacks: one that finishes after the time-out must find it alive.
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Outcome> outcomes;
  };
  auto shared = std::make_shared<Shared>();
  for (const DeadLetter& d : marked)
    bus.redeliver(d.handler, d.event, [shared, id = d.id](bool ok, std::string error) {
      std::lock_guard lk(shared->mu);
      shared->outcomes.push_back({id, ok, std::move(error)});
      shared->cv.notify_all();
    });
  std::vector<Outcome> outcomes;
  {
    std::unique_lock lk(shared->mu);
    if (!shared->cv.wait_for(lk, timeout, [&] { return shared->outcomes.size() == marked.size(); }))
      spdlog::error("dead-letter retry: {} of {} letters did not finish in time",
                    marked.size() - shared->outcomes.size(), marked.size());
    outcomes = shared->outcomes;
  }
  StateStore::Impl& m = store_->impl();
  std::lock_guard dl(m.db_mu);
  sqlite::Statement del(*m.db, "DELETE FROM dead_letters WHERE id=?");
  sqlite::Statement upd(*m.db,
                        "UPDATE dead_letters SET state='new', error=?, attempts=attempts+1 "
                        "WHERE id=?");
  for (const Outcome& o : outcomes) {
    if (o.ok) {
      del.bind(1, o.id).run();
      ++result.delivered;
    } else {
      upd.bind(1, o.error).bind(2, o.id).run();
      ++result.failed;
      spdlog::warn("dead letter {}: failed again: {}", o.id, o.error);
    }
  }
  return result;
}

}  // namespace tradebus
