// eventually(): waits for a condition by polling, so tests never rely on fixed sleeps.
#pragma once

#include <chrono>
#include <thread>

namespace tradebus::test {

/// Polls `done` every 5 ms for up to `limit`; true when it became true.
template <class F>
bool eventually(F done, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

}  // namespace tradebus::test
