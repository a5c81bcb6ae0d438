#include "tradebus/marketdata/kline_csv_writer.hpp"

namespace tradebus {

void write_kline_csv_row(std::ostream& out, const Candle& c) {
  out << c.open_time_ns / 1'000'000 << ',' << c.open.to_string_fixed(8) << ','
      << c.high.to_string_fixed(8) << ',' << c.low.to_string_fixed(8) << ','
      << c.close.to_string_fixed(8) << ',' << c.volume.to_string_fixed(8) << ','
      << c.close_time_ns / 1'000'000 << ',' << c.quote_volume.to_string_fixed(8) << ','
      << c.trade_count << ',' << c.taker_buy_base_volume.to_string_fixed(8) << ','
      << c.taker_buy_quote_volume.to_string_fixed(8) << ",0\n";
}

}  // namespace tradebus
