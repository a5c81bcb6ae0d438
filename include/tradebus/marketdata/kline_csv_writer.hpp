// Writes candles in the Binance data-dump kline layout (12 columns, millisecond timestamps,
// no header), the layout KlineCsvReader reads back.
#pragma once

#include <ostream>

#include "tradebus/model/candle.hpp"

namespace tradebus {

void write_kline_csv_row(std::ostream& out, const Candle& c);

}  // namespace tradebus
