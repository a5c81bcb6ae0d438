#!/usr/bin/env bash
# Installs every Debian 12 package tradebus needs to build, test and benchmark.
# Idempotent: when everything is present it installs nothing. Uses sudo when not root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang-14 libclang-rt-14-dev clang-format openssl
  libboost1.81-dev libssl-dev ca-certificates
  libsimdjson-dev libsqlite3-dev libhiredis-dev
  # redis-server: the scale-out tests start their own; redis-tools: redis-benchmark for the bench.
  redis-server redis-tools
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  prometheus-cpp-dev
  # Tests: util-linux (prlimit, setpriv for the full-disk and read-only state tests) and
  # chromium (the dashboard's headless browser test).
  util-linux chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
