// Opening a state store on a test's scratch directory.
#pragma once

#include <memory>
#include <string>

#include "tradebus/persistence/state_store.hpp"

namespace tradebus::test {

inline std::shared_ptr<StateStore> open_state(const std::string& dir) {
  StateStoreOptions o;
  o.dir = dir;
  return std::make_shared<StateStore>(o);
}

}  // namespace tradebus::test
