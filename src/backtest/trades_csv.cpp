#include "tradebus/backtest/trades_csv.hpp"

#include "tradebus/model/time_format.hpp"

namespace tradebus {

void write_trades_csv_header(std::ostream& out) {
  out << "time_utc,time_ns,symbol,side,price,quantity,notional,fee,fee_asset,client_order_id,"
         "strategy_id,trade_id\n";
}

void write_trades_csv_row(std::ostream& out, const Fill& f) {
  out << format_utc(f.time_ns, true) << ',' << f.time_ns << ',' << f.symbol.view() << ','
      << to_string(f.side) << ',' << f.price.to_string() << ',' << f.quantity.to_string() << ','
      << Decimal::mul(f.price, f.quantity).to_string() << ',' << f.fee.to_string() << ','
      << f.fee_asset.view() << ',' << f.client_order_id.view() << ',' << f.strategy_id.view() << ','
      << f.trade_id << '\n';
}

}  // namespace tradebus
