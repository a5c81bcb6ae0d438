# Thin wrapper over CMake and CTest. `make run` and `make test` are all a user needs.
BUILD     ?= build
JOBS      ?= 2
GENERATOR ?= Ninja
CMAKE_ARGS ?=

SOURCES = $(shell git ls-files '*.cpp' '*.hpp' 2>/dev/null)
SHELL := /bin/bash

.PHONY: all deps configure build run test bench demo install format format-check \
        test-asan test-tsan fuzz clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja $(BUILD)/Makefile:
	@$(MAKE) --no-print-directory deps
	cmake -S . -B $(BUILD) -G $(GENERATOR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS)

configure: $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j$(JOBS)

run: build
	$(BUILD)/tradebus backtest --report reports/backtest.html --trades reports/trades.csv
	@echo
	@echo "Report: $(CURDIR)/reports/backtest.html  (open it in a browser)"

demo: build
	$(BUILD)/tradebus demo

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

bench: build
	$(BUILD)/tradebus bench --json

# Sanitizer builds use clang-14: less than half of g++'s time and memory for Asio code. Line
# tables are all a sanitizer report needs (file:line in every frame); full debug info costs a
# tenth more compile time and a fifth more memory on the Beast translation units.
SANITIZER_FLAGS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
                  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG"
test-asan: deps
	cmake -S . -B build-asan -G $(GENERATOR) $(SANITIZER_FLAGS) \
	  -DTRADEBUS_SANITIZE=address,undefined -DTRADEBUS_FUZZ=ON \
	  -DTRADEBUS_BUILD_BENCH=OFF -DTRADEBUS_BUILD_EXAMPLES=OFF
	cmake --build build-asan -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build-asan --output-on-failure -j$(JOBS)

test-tsan: deps
	cmake -S . -B build-tsan -G $(GENERATOR) $(SANITIZER_FLAGS) -DTRADEBUS_SANITIZE=thread \
	  -DTRADEBUS_BUILD_BENCH=OFF -DTRADEBUS_BUILD_EXAMPLES=OFF
	cmake --build build-tsan -j$(JOBS)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --test-dir build-tsan --output-on-failure -j$(JOBS)

# Each libFuzzer target (built by test-asan) runs FUZZ_SECONDS on the seed corpus in fuzz/corpus
# plus what earlier runs found (build-asan/fuzz-corpus). A crash fails the run and leaves the
# input as build-asan/fuzz-artifacts/crash-*: add it to fuzz/corpus and a regression test.
FUZZERS      = kline_message_fuzz kline_csv_fuzz rest_body_fuzz config_fuzz journal_record_fuzz \
               redis_entry_fuzz
FUZZ_SECONDS ?= 20
fuzz:
	@test -x build-asan/fuzz/kline_message_fuzz || $(MAKE) --no-print-directory test-asan
	@mkdir -p build-asan/fuzz-artifacts
	@set -o pipefail; for f in $(FUZZERS); do \
	  mkdir -p build-asan/fuzz-corpus/$$f; \
	  echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    build-asan/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=build-asan/fuzz-artifacts/ build-asan/fuzz-corpus/$$f \
	    fuzz/corpus/$${f%_fuzz} 2>&1 | tail -3 || exit 1; \
	done

install: build
	cmake --install $(BUILD) --prefix $(or $(PREFIX),/usr/local)

format:
	clang-format -i $(SOURCES)

format-check:
	clang-format --dry-run -Werror $(SOURCES)

clean:
	rm -rf $(BUILD) build-asan build-tsan
