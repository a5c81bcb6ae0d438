// TLS verification of the REST client against a real TLS server (`openssl s_server`) with a
// certificate from a CA made for the test: trusted and matching -> connects; wrong host name or
// untrusted CA -> refused. The WebSocket client shares the same context set-up.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "support/fake_market.hpp"
#include "support/test_paths.hpp"
#include "tradebus/adapters/binance/rest_client.hpp"

using namespace tradebus;
using namespace tradebus::binance;

namespace {

bool sh(const std::string& cmd) {
  return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

unsigned short free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

bool accepts(unsigned short port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  return !ec;
}

class TlsServer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!sh("command -v openssl")) GTEST_SKIP() << "the openssl command is not installed";
    // ctest runs tests as parallel processes: each needs its own files.
    dir_ = test::scratch_dir(std::string("tls_") +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                             std::to_string(::getpid()));
    const std::string d = dir_ + "/";
    ASSERT_TRUE(
        sh("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=tradebus test CA' "
           "-keyout " +
           d + "ca.key -out " + d + "ca.pem"));
    ASSERT_TRUE(sh("openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout " + d +
                   "srv.key -out " + d + "srv.csr"));
    ASSERT_TRUE(sh("printf 'subjectAltName=DNS:localhost\\n' > " + d + "ext.cnf"));
    ASSERT_TRUE(sh("openssl x509 -req -days 2 -in " + d + "srv.csr -CA " + d + "ca.pem -CAkey " +
                   d + "ca.key -CAcreateserial -extfile " + d + "ext.cnf -out " + d + "srv.pem"));
    port_ = free_port();
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string accept = "127.0.0.1:" + std::to_string(port_);
      const std::string cert = d + "srv.pem", key = d + "srv.key";
      std::freopen("/dev/null", "w", stdout);
      std::freopen("/dev/null", "w", stderr);
      ::execlp("openssl", "openssl", "s_server", "-accept", accept.c_str(), "-cert", cert.c_str(),
               "-key", key.c_str(), "-www", "-quiet", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    bool exited = false;
    ASSERT_TRUE(test::eventually(
        [&] {
          exited = exited || ::waitpid(pid_, nullptr, WNOHANG) == pid_;
          return exited || accepts(port_);
        },
        std::chrono::seconds(20)));
    if (exited) pid_ = -1;
    ASSERT_FALSE(exited) << "openssl s_server did not start on port " << port_;
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  RestResponse get(const std::string& host, const std::string& ca_file) {
    RestClientOptions o;
    o.url = "https://" + host + ":" + std::to_string(port_);
    o.ca_file = ca_file;
    o.timeout = std::chrono::seconds(5);
    RestClient rest(o);
    return rest.get("/");
  }
  std::string dir_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(TlsServer, ConnectsWhenTheCertificateIsTrustedAndNamesTheHost) {
  const auto r = get("localhost", dir_ + "/ca.pem");
  EXPECT_EQ(r.status, 200);
}

TEST_F(TlsServer, RefusesACertificateForAnotherHost) {
  try {
    get("127.0.0.1", dir_ + "/ca.pem");  // the certificate names only "localhost"
    FAIL() << "connected to a server whose certificate does not name the host";
  } catch (const RestUnknownError& e) {
    EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos)
        << e.what();
  }
}

TEST_F(TlsServer, RefusesACertificateFromAnUntrustedAuthority) {
  try {
    get("localhost", "");  // system store: does not know the test CA
    FAIL() << "connected to a server signed by an unknown CA";
  } catch (const RestUnknownError& e) {
    EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos)
        << e.what();
  }
}

TEST(TlsSetup, AMissingCaFileIsAClearError) {
  RestClientOptions o;
  o.url = "https://localhost:1";
  o.ca_file = "/nonexistent/ca.pem";
  try {
    RestClient rest(o);
    FAIL() << "accepted a CA file that does not exist";
  } catch (const EndpointError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ca.pem"), std::string::npos) << e.what();
  }
}

}  // namespace
