#include "tradebus/observability/json_logs.hpp"

#include <chrono>
#include <memory>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include "tradebus/model/event_json.hpp"

namespace tradebus {
namespace {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto since = msg.time.time_since_epoch();
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since - secs);
    const std::time_t t = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    gmtime_r(&t, &tm);
    const auto level = spdlog::level::to_string_view(msg.level);
    fmt::format_to(
        std::back_inserter(dest),
        R"({{"time":"{:%Y-%m-%dT%H:%M:%S}.{:06d}Z","level":"{}","logger":"{}","thread":{},"message":"{}"}})",
        tm, micros.count(), std::string_view(level.data(), level.size()),
        json_escape(std::string_view(msg.logger_name.data(), msg.logger_name.size())),
        msg.thread_id, json_escape(std::string_view(msg.payload.data(), msg.payload.size())));
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLogFormatter>();
  }
};

}  // namespace

void use_json_logs() {
  spdlog::default_logger()->set_formatter(std::make_unique<JsonLogFormatter>());
}

}  // namespace tradebus
