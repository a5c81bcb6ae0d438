// Journal append rate: candle events encoded, checksummed and written with the batch policy
// (fdatasync every 100 ms), as the loop thread would append them.
#include <chrono>
#include <filesystem>

#include "scenarios.hpp"
#include "tradebus/persistence/event_journal.hpp"

namespace tradebus::bench {

double journal_events_per_s(std::uint64_t events, const std::string& dir) {
  const std::string path = dir + "/journal-bench";
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  Candle c;
  c.symbol = "BTCUSDT";
  c.interval = "1m";
  c.open = c.high = c.low = c.close = Decimal::from_int(20'000);
  c.volume = Decimal::from_int(3);
  Event e(EventType::candle_closed, c, 0, "bench");
  JournalOptions o;
  o.dir = path;
  o.sync = JournalSync::batch;
  const auto t0 = std::chrono::steady_clock::now();
  {
    JournalWriter w(o);
    for (std::uint64_t i = 0; i < events; ++i) {
      auto& candle = std::get<Candle>(e.payload);
      candle.open_time_ns = static_cast<std::int64_t>(i) * 60'000'000'000;
      e.sequence = i + 1;
      w.append(e);
    }
    w.close();  // the last batch reaches the disk inside the measurement
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::filesystem::remove_all(path, ec);
  return static_cast<double>(events) / s;
}

}  // namespace tradebus::bench
