#include "tradebus/adapters/binance/request_signer.hpp"

#include <regex>

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/test_paths.hpp"

using tradebus::binance::RequestSigner;

namespace {
// The documented example from Binance's REST API docs (an illustrative key, not a credential).
constexpr const char* kDocSecret =
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
}  // namespace

TEST(RequestSigner, SignsBinancesDocumentedExample) {
  RequestSigner signer(kDocSecret);
  EXPECT_EQ(signer.sign("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&"
                        "recvWindow=5000&timestamp=1499827319559"),
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
}

TEST(RequestSigner, SignsEveryVectorInTheSharedFile) {
  TRADEBUS_REQUIRE_SHARED(path, "signing/hmac_sha256_test_vectors.json");
  const std::string json = tradebus::test::read_file(path);
  std::smatch secret;
  ASSERT_TRUE(std::regex_search(json, secret, std::regex("\"secretKey\": \"([^\"]+)\"")));
  RequestSigner signer(secret[1].str());
  const std::regex vector("\"payload\": \"([^\"]+)\",\\s*\"signature\": \"([0-9a-f]{64})\"");
  int checked = 0;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), vector);
       it != std::sregex_iterator(); ++it) {
    EXPECT_EQ(signer.sign((*it)[1].str()), (*it)[2].str()) << (*it)[1].str();
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

TEST(RequestSigner, RefusesAnEmptySecret) {
  EXPECT_THROW(RequestSigner(""), std::invalid_argument);
}
