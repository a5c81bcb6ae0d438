#include "tradebus/transport/redis/redis_endpoint.hpp"

#include <charconv>

#include <fmt/format.h>

namespace tradebus::redis {
namespace {

bool parse_int(std::string_view s, int& out, int lo, int hi) {
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
  out = v;
  return true;
}

// The URL as it may be printed: the password replaced by ***.
std::string masked(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  return url.substr(0, scheme + 3) + "***" + url.substr(at);
}

}  // namespace

std::string RedisEndpoint::describe() const {
  return fmt::format("{}:{}/{}", host, port, db);
}

RedisEndpoint parse_redis_url(const std::string& url) {
  const auto fail = [&](std::string_view why) {
    return RedisConfigError(
        fmt::format("redis URL '{}': {} (expected "
                    "redis://[:password@]host:port[/db])",
                    masked(url), why));
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind(kScheme, 0) != 0) {
    if (url.rfind("rediss://", 0) == 0)
      throw fail("TLS (rediss://) is not supported by Debian's hiredis 0.14");
    throw fail("it must start with redis://");
  }
  RedisEndpoint ep;
  std::string rest = url.substr(kScheme.size());
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    const std::string auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (auth.empty() || auth.front() != ':')
      throw fail("a user name is not supported; write redis://:password@host:port");
    ep.password = auth.substr(1);
    if (ep.password.empty()) throw fail("the password after ':' is empty");
  }
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    const std::string db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty() && !parse_int(db, ep.db, 0, 1 << 20))
      throw fail(fmt::format("database '{}' is not a number", db));
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) {
    ep.host = rest;
  } else {
    ep.host = rest.substr(0, colon);
    if (!parse_int(rest.substr(colon + 1), ep.port, 1, 65535))
      throw fail(fmt::format("port '{}' is not a number from 1 to 65535", rest.substr(colon + 1)));
  }
  if (ep.host.empty()) throw fail("the host is empty");
  return ep;
}

}  // namespace tradebus::redis
