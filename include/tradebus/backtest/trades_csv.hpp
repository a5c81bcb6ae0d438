// The trades CSV (`--trades`): one row per fill, the same columns for backtest, paper and live.
#pragma once

#include <ostream>

#include "tradebus/model/fill.hpp"

namespace tradebus {

void write_trades_csv_header(std::ostream& out);
void write_trades_csv_row(std::ostream& out, const Fill& f);

}  // namespace tradebus
