#!/usr/bin/env bash
# Runs the shared Sigstore bundle-verification conformance kit against plugin-cosign.
# Results: target/sigstore-results.json. Score and failing groups: docs/conformance-sigstore.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --locked -p plugin-cosign --bin sigstore-client
exec ../shared/conformance/sigstore/run tests/conformance/sigstore-client --json target/sigstore-results.json
