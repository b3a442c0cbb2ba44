#!/usr/bin/env bash
# The whole test suite: unit, integration, vector, property and golden CLI tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo test --locked --workspace --doc
  cargo nextest run --locked --workspace --no-fail-fast
else
  cargo test --locked --workspace --no-fail-fast
fi
