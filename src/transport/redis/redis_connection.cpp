#include "tradebus/transport/redis/redis_connection.hpp"

#include <sys/time.h>

#include <hiredis/hiredis.h>

#include <fmt/format.h>

namespace tradebus::redis {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

RedisValue copy_reply(const redisReply* r) {
  RedisValue v;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      v.kind = RedisValue::Kind::string;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      v.kind = RedisValue::Kind::status;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      v.kind = RedisValue::Kind::error;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      v.kind = RedisValue::Kind::integer;
      v.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      v.kind = RedisValue::Kind::array;
      v.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i)
        v.elements.push_back(copy_reply(r->element[i]));
      break;
    default:
      break;  // nil
  }
  return v;
}

struct ReplyFree {
  void operator()(void* r) const noexcept {
    if (r) freeReplyObject(r);
  }
};

}  // namespace

struct RedisConnection::Impl {
  redisContext* ctx = nullptr;
  std::vector<const char*> argv;
  std::vector<std::size_t> argl;

  ~Impl() { reset(); }
  void reset() noexcept {
    if (ctx) redisFree(ctx);
    ctx = nullptr;
  }
  void prepare(const std::vector<std::string_view>& args) {
    argv.clear();
    argl.clear();
    for (auto a : args) {
      argv.push_back(a.data());
      argl.push_back(a.size());
    }
  }
};

RedisConnection::RedisConnection(RedisEndpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout), impl_(std::make_unique<Impl>()) {}

RedisConnection::~RedisConnection() = default;

bool RedisConnection::connected() const noexcept {
  return impl_->ctx != nullptr;
}

void RedisConnection::close() noexcept {
  impl_->reset();
}

void RedisConnection::fail(std::string_view what) {
  std::string msg = fmt::format("redis {}: {}", endpoint_.describe(), what);
  if (impl_->ctx && impl_->ctx->err) msg += fmt::format(" ({})", impl_->ctx->errstr);
  impl_->reset();
  throw RedisIoError(msg);
}

void RedisConnection::connect() {
  impl_->reset();
  impl_->ctx =
      redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, to_timeval(timeout_));
  if (!impl_->ctx) throw RedisIoError("redis: out of memory allocating a connection");
  if (impl_->ctx->err) fail("cannot connect");
  set_reply_timeout(timeout_);
  if (!endpoint_.password.empty()) {
    const auto r = command({"AUTH", endpoint_.password});
    if (r.is_error()) {
      close();
      throw RedisConfigError(
          fmt::format("redis {}: AUTH refused: {}", endpoint_.describe(), r.str));
    }
  }
  if (endpoint_.db != 0) {
    const std::string db = std::to_string(endpoint_.db);
    const auto r = command({"SELECT", db});
    if (r.is_error()) {
      close();
      throw RedisConfigError(
          fmt::format("redis {}: SELECT refused: {}", endpoint_.describe(), r.str));
    }
  }
}

void RedisConnection::set_reply_timeout(std::chrono::milliseconds timeout) {
  if (!impl_->ctx) return;
  if (redisSetTimeout(impl_->ctx, to_timeval(timeout)) != REDIS_OK) fail("cannot set the time-out");
}

RedisValue RedisConnection::command(const std::vector<std::string_view>& args) {
  append(args);
  return read_reply();
}

void RedisConnection::append(const std::vector<std::string_view>& args) {
  if (!impl_->ctx) throw RedisIoError(fmt::format("redis {}: not connected", endpoint_.describe()));
  impl_->prepare(args);
  if (redisAppendCommandArgv(impl_->ctx, static_cast<int>(args.size()), impl_->argv.data(),
                             impl_->argl.data()) != REDIS_OK)
    fail("cannot queue a command");
}

RedisValue RedisConnection::read_reply() {
  if (!impl_->ctx) throw RedisIoError(fmt::format("redis {}: not connected", endpoint_.describe()));
  void* raw = nullptr;
  if (redisGetReply(impl_->ctx, &raw) != REDIS_OK || !raw) fail("connection lost");
  std::unique_ptr<void, ReplyFree> reply(raw);
  return copy_reply(static_cast<const redisReply*>(raw));
}

RedisValue command_ok(RedisConnection& c, const std::vector<std::string_view>& args) {
  auto r = c.command(args);
  if (r.is_error())
    throw std::runtime_error(fmt::format("redis {}: {} refused: {}", c.endpoint().describe(),
                                         args.empty() ? "" : args.front(), r.str));
  return r;
}

}  // namespace tradebus::redis
