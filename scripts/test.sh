#!/usr/bin/env bash
# Runs plansim's tests on this machine, first installing what they need and can install:
# Debian's Chromium (the report test opens report.html in it) and a single-node Slurm cluster
# (the cluster test submits a batch to it). Both need root on Debian or Ubuntu; without root,
# or on another system, the tests that need them say they are skipped (and fail when CI is set,
# since CI must run them).
#
#   scripts/test.sh              install what is missing, then cargo test --release
#   scripts/test.sh batch        the same, running only the tests whose names contain "batch"
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "scripts/test.sh: cargo not found: install Rust (https://rustup.rs) first" >&2
    exit 1
  fi
fi

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

if ! command -v chromium >/dev/null 2>&1; then
  if can_install; then
    echo "scripts/test.sh: installing Debian's chromium for the report test" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "scripts/test.sh: chromium is not installed and cannot be installed here (needs root and apt-get): the report's browser tests will be skipped" >&2
  fi
fi

if can_install; then
  bash scripts/slurm/local-cluster.sh
else
  echo "scripts/test.sh: no root: the Slurm cluster test will be skipped unless a cluster is already running" >&2
fi

cargo --version
cargo test --release "$@"
