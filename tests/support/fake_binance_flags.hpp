// The CLI flags that point a paper, live or scale-out command at a FakeBinance the test started.
#pragma once

#include <string>

#include "fake_binance.hpp"

namespace tradebus::test {

inline std::string fake_binance_flags(const fakes::FakeBinance& fake) {
  return " --ws-url " + fake.ws_url() + " --rest-url " + fake.rest_url();
}

}  // namespace tradebus::test
