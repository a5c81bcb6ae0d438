// Exceptions the EventBus throws to publishers.
#pragma once

#include <stdexcept>

namespace tradebus {

/// A queue with Overflow::fail stayed full for its whole wait, or a publish on the loop thread
/// hit a full signal queue (waiting there would deadlock the loop).
class QueueFullError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Publish after the bus stopped, or subscribe/start in a state that does not allow it.
class BusStateError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace tradebus
