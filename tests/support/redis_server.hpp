// RedisServer: a real redis-server for one test, on a free loopback port with its own temporary
// directory, started as our child (so it is stopped by pid, and never outlives the test). AOF is
// on with appendfsync always, as a deployment that must not lose an order runs it, so that a
// restart() keeps the streams.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/child_process.hpp"
#include "support/test_paths.hpp"
#include "tradebus/transport/redis/redis_connection.hpp"

namespace tradebus::test {

inline std::string find_redis_server() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
    const auto p = std::filesystem::path(dir) / "redis-server";
    if (std::filesystem::exists(p)) return p.string();
  }
  return {};
}

inline int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free loopback port");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

class RedisServer {
 public:
  explicit RedisServer(const std::string& name) : dir_(scratch_dir(name)) {
    binary_ = find_redis_server();
    if (binary_.empty())
      throw std::runtime_error(
          "redis-server not found: run scripts/install-deps.sh (it installs redis-server)");
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_loopback_port();
      if (start()) return;
    }
    throw std::runtime_error("redis-server did not start; see " + dir_ + "/redis.err");
  }
  ~RedisServer() { stop(); }

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  redis::RedisEndpoint endpoint() const {
    redis::RedisEndpoint ep;
    ep.port = port_;
    return ep;
  }
  const std::string& dir() const { return dir_; }

  /// SIGTERM (Redis flushes the AOF), then wait for the exit.
  void stop() {
    if (!child_) return;
    child_->signal(SIGTERM);
    if (!child_->wait_for(std::chrono::seconds(20))) child_->signal(SIGKILL);
    child_->wait();
    child_.reset();
  }
  /// Same port, same directory: what was in the AOF comes back.
  void restart() {
    stop();
    for (int attempt = 0; attempt < 50; ++attempt) {  // the port may linger a moment
      if (start()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("redis-server did not restart on port " + std::to_string(port_));
  }

  /// A connection for the test's own inspection.
  std::unique_ptr<redis::RedisConnection> connect() const {
    auto c = std::make_unique<redis::RedisConnection>(endpoint());
    c->connect();
    return c;
  }

 private:
  bool start() {
    child_ = std::make_unique<ChildProcess>(
        binary_,
        std::vector<std::string>{"--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir",
                                 dir_, "--save", "", "--appendonly", "yes", "--appendfsync",
                                 "always", "--daemonize", "no", "--logfile", ""},
        dir_ + "/redis.out", dir_ + "/redis.err");
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < end) {
      if (child_->wait_for(std::chrono::milliseconds(20))) break;  // exited: port taken?
      try {
        redis::RedisConnection c(endpoint(), std::chrono::milliseconds(500));
        c.connect();
        if (c.command({"PING"}).str == "PONG") return true;
      } catch (const std::exception&) {
      }
    }
    child_->signal(SIGKILL);
    child_->wait();
    child_.reset();
    return false;
  }

  std::string dir_, binary_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace tradebus::test
