// Umbrella header: everything a strategy author or embedding program needs.
#pragma once

#include "tradebus/model/cache_line_allocator.hpp"
#include "tradebus/model/candle.hpp"
#include "tradebus/model/coarse_clock.hpp"
#include "tradebus/model/decimal.hpp"
#include "tradebus/model/event.hpp"
#include "tradebus/model/event_json.hpp"
#include "tradebus/model/fill.hpp"
#include "tradebus/model/order.hpp"
#include "tradebus/model/signal.hpp"
#include "tradebus/model/time_format.hpp"

#include "tradebus/bus/event_bus.hpp"

#include "tradebus/engine/data_collector.hpp"
#include "tradebus/engine/exchange.hpp"
#include "tradebus/engine/order_manager.hpp"
#include "tradebus/engine/strategy.hpp"
#include "tradebus/engine/trading_engine.hpp"

#include "tradebus/execution/default_order_manager.hpp"
#include "tradebus/execution/paper_exchange.hpp"
#include "tradebus/execution/portfolio.hpp"
#include "tradebus/strategies/breakout.hpp"
#include "tradebus/strategies/rsi_reversion.hpp"
#include "tradebus/strategies/sma_cross.hpp"
#include "tradebus/strategies/strategy_registry.hpp"

#include "tradebus/backtest/backtest_config.hpp"
#include "tradebus/backtest/backtest_report.hpp"
#include "tradebus/backtest/backtest_runner.hpp"
#include "tradebus/marketdata/kline_csv_source.hpp"
#include "tradebus/marketdata/kline_csv_writer.hpp"
#include "tradebus/marketdata/synthetic_market.hpp"
