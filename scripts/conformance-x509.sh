#!/usr/bin/env bash
# x509-limbo conformance: builds plugin-x509's limbo harness and runs the shared kit.
# Exit status is the kit's: 0 only with zero false accepts. Summary: target/limbo-results.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --locked -p plugin-x509 --bin limbo-harness
../shared/conformance/x509-limbo/run tests/conformance/limbo-harness \
  --json target/limbo-results.json "$@"
