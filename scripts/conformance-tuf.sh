#!/usr/bin/env bash
# Runs the tuf-conformance kit (../shared/conformance/tuf) against plugins/tuf's tuf-client.
#   scripts/conformance-tuf.sh [extra pytest args, e.g. -k test_name -x -rA]
# Exit code is the kit's (pytest's): 0 = all passed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cargo build --release --locked -p plugin-tuf --bin tuf-client
exec ../shared/conformance/tuf/run tests/conformance/tuf-client "$@"
