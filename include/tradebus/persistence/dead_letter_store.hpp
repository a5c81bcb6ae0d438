// DeadLetterStore: events a handler gave up on (EventBusOptions::handler_attempts failed calls)
// kept in the state store's `dead_letters` table with the handler's name and its last error,
// for `tradebus dlq list | retry ID | drop ID`. A letter marked for retry is handed back to
// its handler (only that one) when the next run on the state directory starts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tradebus/bus/event_bus.hpp"
#include "tradebus/persistence/state_store.hpp"

namespace tradebus {

struct DeadLetter {
  std::int64_t id = 0;
  std::int64_t recorded_ns = 0;
  std::string handler;
  std::string error;
  int attempts = 0;
  std::string state;  ///< "new" or "retry"
  Event event;
};

struct DeadLetterRetry {
  std::uint64_t delivered = 0;  ///< Handled this time: removed from the table.
  std::uint64_t failed = 0;     ///< Failed again: kept, with the new error.
};

class DeadLetterStore final : public BusObserver {
 public:
  explicit DeadLetterStore(std::shared_ptr<StateStore> store);

  /// Loop thread: stages the letter (committed with the next group).
  void on_dead_letter(const Event& e, std::string_view handler, std::string_view what,
                      int attempts) override;

  /// Committed letters, oldest first.
  std::vector<DeadLetter> list() const;
  /// False when there is no letter `id`.
  bool mark_for_retry(std::int64_t id);
  bool drop(std::int64_t id);
  /// Hands every letter marked for retry to its handler on the running `bus`; waits for the
  /// outcomes (up to `timeout`).
  DeadLetterRetry retry_marked(EventBus& bus, std::chrono::milliseconds timeout);

 private:
  std::shared_ptr<StateStore> store_;
};

}  // namespace tradebus
